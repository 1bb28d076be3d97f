// POST /v1/clusters/{id}/policies[?dryRun=true[&impact=true[&since=6h]]]: create one policy object in
// a cluster, from JSON or YAML; or check it without writing, with the observed flows it would flip.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { versionEtag } from '../../http/etag.ts';
import { readDocument } from '../../http/read-document.ts';
import { apiKeySecurity, dryRunParam, idempotencyHeader, idParam, jsonContent, writeErrors } from '../../schemas/common.ts';
import { impactQuery, impactRequestOf } from '../../schemas/impact.ts';
import { policyBody, policyDryRunSchema, presentDryRun, presentPolicy, writtenPolicySchema } from '../../schemas/policies.ts';
import { createPolicy, dryRunCreatePolicy } from '../../services/policies/create.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/clusters/{id}/policies',
  operationId: 'createPolicy',
  summary: 'Create a policy in a cluster',
  tags: ['policies'],
  security: apiKeySecurity,
  request: { params: idParam, headers: idempotencyHeader, query: z.object({ dryRun: dryRunParam, ...impactQuery }), body: policyBody },
  responses: {
    201: jsonContent(writtenPolicySchema, 'Created, with its ETag'),
    200: jsonContent(policyDryRunSchema, 'With dryRun=true: every check passed, nothing written (and the impact, when asked)'),
    ...writeErrors,
  },
});

export function registerCreatePolicy(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const input = { clusterId: c.req.valid('param').id, document: await readDocument(c) };
    const impact = impactRequestOf(query, c.get('services').clock());
    if (query.dryRun === 'true') {
      const checked = await dryRunCreatePolicy(tenantContext(c), { ...input, impact });
      return c.json(presentDryRun(checked.object, checked.impact), 200);
    }
    const { row, warnings } = await createPolicy(tenantContext(c), input);
    c.header('etag', versionEtag(row.version));
    return c.json({ ...presentPolicy(row), ...(warnings.length > 0 && { warnings }) }, 201);
  });
}
