// DELETE /v1/api-keys/{id}: revoke an API key; repeating it succeeds.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, commonErrors, idParam } from '../../schemas/common.ts';
import { revokeApiKey } from '../../services/api-keys.ts';

const route = createRoute({
  method: 'delete',
  path: '/v1/api-keys/{id}',
  operationId: 'revokeApiKey',
  summary: 'Revoke an API key; repeating it succeeds',
  tags: ['api-keys'],
  security: apiKeySecurity,
  request: { params: idParam },
  responses: { 204: { description: 'Revoked, or already gone' }, ...commonErrors },
});

export function registerRevokeApiKey(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    await revokeApiKey(tenantContext(c), { keyId: c.req.valid('param').id });
    return c.body(null, 204);
  });
}
