// DELETE /v1/policies/{id}: delete a policy object; repeating it succeeds.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, idParam, writeErrors } from '../../schemas/common.ts';
import { deletePolicy } from '../../services/policies/delete.ts';

const route = createRoute({
  method: 'delete',
  path: '/v1/policies/{id}',
  operationId: 'deletePolicy',
  summary: 'Delete a policy; repeating it succeeds',
  tags: ['policies'],
  security: apiKeySecurity,
  request: { params: idParam },
  responses: { 204: { description: 'Deleted, or already gone' }, ...writeErrors },
});

export function registerDeletePolicy(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    await deletePolicy(tenantContext(c), { policyId: c.req.valid('param').id });
    return c.body(null, 204);
  });
}
