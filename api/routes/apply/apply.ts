// POST /v1/apply?cluster=<id>[&dryRun=true]: kubectl apply for palisade. Multi-document YAML, a JSON
// array or a List; created or replaced by kind/namespace/name; all or nothing; dryRun returns the diff.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { withTenant } from '../../../db/index.ts';
import type { AppEnv } from '../../env.ts';
import { readDocuments } from '../../http/read-documents.ts';
import { requireRole } from '../../middleware/auth.ts';
import { jsonContent, writeErrors } from '../../schemas/common.ts';
import { acceptAll, applyPolicies } from '../../services/apply.ts';
import { findCluster } from '../../services/clusters.ts';

const multiDocument = { schema: { type: 'string' as const, description: 'One or more objects: multi-document YAML, a JSON array, or a List' } };

const applyResult = z
  .object({
    dryRun: z.boolean(),
    results: z.array(
      z.object({
        kind: z.string(),
        namespace: z.string().nullable(),
        name: z.string(),
        action: z.enum(['created', 'configured', 'unchanged']),
        id: z.string().nullable(),
        before: z.record(z.string(), z.unknown()).nullable(),
        after: z.record(z.string(), z.unknown()),
      }),
    ),
  })
  .openapi('ApplyResult');

const route = createRoute({
  method: 'post',
  path: '/v1/apply',
  operationId: 'applyPolicies',
  summary: 'Create or replace many policy objects at once, all or nothing (kubectl apply)',
  tags: ['policies'],
  security: [{ apiKey: [] }],
  request: {
    query: z.object({
      cluster: z.string().openapi({ description: 'The cluster to apply to' }),
      dryRun: z.enum(['true', 'false']).default('false').openapi({ description: 'Validate, check limits and return the diff without writing' }),
    }),
    body: {
      content: { 'application/yaml': multiDocument, 'application/x-yaml': multiDocument, 'application/json': { schema: { type: 'array' as const, items: { $ref: '#/components/schemas/PolicyManifest' } } } },
      required: true,
    },
  },
  responses: { 200: jsonContent(applyResult, 'What each object became (or would become, with dryRun)'), ...writeErrors },
});

export function registerApply(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, 'editor');
    const query = c.req.valid('query');
    const dryRun = query.dryRun === 'true';
    const accepted = acceptAll(await readDocuments(c));
    const results = await withTenant(c.get('services').database.db, caller.tenantId, async (tx) => {
      const cluster = await findCluster(tx, query.cluster);
      return applyPolicies(tx, caller, cluster.id, accepted, dryRun);
    });
    return c.json({ dryRun, results }, 200);
  });
}
