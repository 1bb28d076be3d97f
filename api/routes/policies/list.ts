// GET /v1/clusters/{id}/policies: a page of a cluster's policy objects, filtered by kind, namespace, name.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { storableText } from '../../../policy/validation/storable-schema.ts';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, idParam, jsonContent, listQuery, page, writeErrors } from '../../schemas/common.ts';
import { policySchema } from '../../schemas/policies.ts';
import { listPolicies } from '../../services/policies/read.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/clusters/{id}/policies',
  operationId: 'listPolicies',
  summary: "List a cluster's policies",
  tags: ['policies'],
  security: apiKeySecurity,
  request: {
    params: idParam,
    query: listQuery.extend({
      kind: storableText().max(253).optional(),
      namespace: storableText().max(253).optional(),
      name: storableText().max(253).optional(),
    }),
  },
  responses: { 200: jsonContent(page(policySchema, 'PolicyPage'), 'A page of policies'), ...writeErrors },
});

export function registerListPolicies(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    return c.json(await listPolicies(tenantContext(c), { clusterId: c.req.valid('param').id, filter: c.req.valid('query') }), 200);
  });
}
