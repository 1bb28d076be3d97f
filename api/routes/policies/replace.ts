// PUT /v1/policies/{id}[?dryRun=true[&impact=true[&since=6h]]]: replace a policy object (kind,
// namespace and name stay), If-Match honoured; or check it without writing, with the observed flows
// it would flip.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { versionEtag } from '../../http/etag.ts';
import { readDocument } from '../../http/read-document.ts';
import { apiKeySecurity, dryRunParam, idParam, ifMatchHeader, jsonContent, writeErrors } from '../../schemas/common.ts';
import { impactQuery, impactRequestOf } from '../../schemas/impact.ts';
import { policyBody, policyDryRunSchema, presentDryRun, presentPolicy, writtenPolicySchema } from '../../schemas/policies.ts';
import { dryRunReplacePolicy, replacePolicy } from '../../services/policies/replace.ts';

const route = createRoute({
  method: 'put',
  path: '/v1/policies/{id}',
  operationId: 'replacePolicy',
  summary: 'Replace a policy (kind, namespace and name stay)',
  tags: ['policies'],
  security: apiKeySecurity,
  request: { params: idParam, headers: ifMatchHeader, query: z.object({ dryRun: dryRunParam, ...impactQuery }), body: policyBody },
  responses: {
    200: jsonContent(
      z.union([writtenPolicySchema, policyDryRunSchema]),
      'Replaced (a Policy, with its ETag); with dryRun=true, a PolicyDryRun: every check passed, nothing written (and the impact, when asked)',
    ),
    ...writeErrors,
  },
});

export function registerReplacePolicy(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const input = { policyId: c.req.valid('param').id, ifMatch: c.req.valid('header')['if-match'], document: await readDocument(c) };
    const impact = impactRequestOf(query, c.get('services').clock());
    if (query.dryRun === 'true') {
      const checked = await dryRunReplacePolicy(tenantContext(c), { ...input, impact });
      return c.json(presentDryRun(checked.object, checked.impact), 200);
    }
    const { row, warnings } = await replacePolicy(tenantContext(c), input);
    c.header('etag', versionEtag(row.version));
    return c.json({ ...presentPolicy(row), ...(warnings.length > 0 && { warnings }) }, 200);
  });
}
