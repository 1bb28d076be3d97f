// DELETE /v1/invites/{id}: withdraw a pending invite; its token stops working. Repeating it succeeds.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, commonErrors, idParam } from '../../schemas/common.ts';
import { revokeInvite } from '../../services/invites.ts';

const route = createRoute({
  method: 'delete',
  path: '/v1/invites/{id}',
  operationId: 'revokeInvite',
  summary: 'Withdraw a pending invite',
  tags: ['members'],
  security: apiKeySecurity,
  request: { params: idParam },
  responses: { 204: { description: 'Withdrawn, or already gone' }, ...commonErrors },
});

export function registerRevokeInvite(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    await revokeInvite(tenantContext(c), { inviteId: c.req.valid('param').id });
    return c.body(null, 204);
  });
}
