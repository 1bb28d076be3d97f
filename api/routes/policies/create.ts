// POST /v1/clusters/{id}/policies: create one policy object in a cluster, from JSON or YAML.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { versionEtag } from '../../http/etag.ts';
import { readDocument } from '../../http/read-document.ts';
import { apiKeySecurity, idempotencyHeader, idParam, jsonContent, writeErrors } from '../../schemas/common.ts';
import { policyBody, presentPolicy, writtenPolicySchema } from '../../schemas/policies.ts';
import { createPolicy } from '../../services/policies/create.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/clusters/{id}/policies',
  operationId: 'createPolicy',
  summary: 'Create a policy in a cluster',
  tags: ['policies'],
  security: apiKeySecurity,
  request: { params: idParam, headers: idempotencyHeader, body: policyBody },
  responses: { 201: jsonContent(writtenPolicySchema, 'Created, with its ETag'), ...writeErrors },
});

export function registerCreatePolicy(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const { row, warnings } = await createPolicy(tenantContext(c), { clusterId: c.req.valid('param').id, document: await readDocument(c) });
    c.header('etag', versionEtag(row.version));
    return c.json({ ...presentPolicy(row), warnings }, 201);
  });
}
