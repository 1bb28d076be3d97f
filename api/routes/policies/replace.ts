// PUT /v1/policies/{id}: replace a policy object (kind, namespace and name stay), If-Match honoured.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { versionEtag } from '../../http/etag.ts';
import { readDocument } from '../../http/read-document.ts';
import { apiKeySecurity, idParam, ifMatchHeader, jsonContent, writeErrors } from '../../schemas/common.ts';
import { policyBody, presentPolicy, writtenPolicySchema } from '../../schemas/policies.ts';
import { replacePolicy } from '../../services/policies/replace.ts';

const route = createRoute({
  method: 'put',
  path: '/v1/policies/{id}',
  operationId: 'replacePolicy',
  summary: 'Replace a policy (kind, namespace and name stay)',
  tags: ['policies'],
  security: apiKeySecurity,
  request: { params: idParam, headers: ifMatchHeader, body: policyBody },
  responses: { 200: jsonContent(writtenPolicySchema, 'Replaced'), ...writeErrors },
});

export function registerReplacePolicy(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const { row, warnings } = await replacePolicy(tenantContext(c), {
      policyId: c.req.valid('param').id,
      ifMatch: c.req.valid('header')['if-match'],
      document: await readDocument(c),
    });
    c.header('etag', versionEtag(row.version));
    return c.json({ ...presentPolicy(row), warnings }, 200);
  });
}
