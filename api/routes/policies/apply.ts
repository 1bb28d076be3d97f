// POST /v1/apply?cluster=<id>[&dryRun=true]: kubectl apply for palisade. Multi-document YAML, a JSON
// array or a List; created or replaced by kind/namespace/name; all or nothing; dryRun returns the diff.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { storableText } from '../../../policy/validation/storable-schema.ts';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { readDocuments } from '../../http/read-documents.ts';
import { applyResultSchema } from '../../schemas/apply.ts';
import { apiKeySecurity, jsonContent, writeErrors } from '../../schemas/common.ts';
import { applyPolicies } from '../../services/policies/apply.ts';

const multiDocument = { schema: { type: 'string' as const, description: 'One or more objects: multi-document YAML, a JSON array, or a List' } };

const route = createRoute({
  method: 'post',
  path: '/v1/apply',
  operationId: 'applyPolicies',
  summary: 'Create or replace many policy objects at once, all or nothing (kubectl apply)',
  tags: ['policies'],
  security: apiKeySecurity,
  request: {
    query: z.object({
      cluster: storableText().openapi({ description: 'The cluster to apply to' }),
      dryRun: z.enum(['true', 'false']).default('false').openapi({ description: 'Validate, check limits and return the diff without writing' }),
    }),
    body: {
      content: {
        'application/yaml': multiDocument,
        'application/x-yaml': multiDocument,
        'application/json': { schema: { type: 'array' as const, items: { $ref: '#/components/schemas/PolicyManifest' } } },
      },
      required: true,
    },
  },
  responses: { 200: jsonContent(applyResultSchema, 'What each object became (or would become, with dryRun)'), ...writeErrors },
});

export function registerApplyPolicies(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const dryRun = query.dryRun === 'true';
    const { results, warnings } = await applyPolicies(tenantContext(c), { clusterId: query.cluster, documents: await readDocuments(c), dryRun });
    return c.json({ dryRun, results, warnings }, 200);
  });
}
