// DELETE /v1/members/{id}: remove a member (owner or admin; never the last owner); their sessions end
// and their API keys are revoked. Repeating it succeeds.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, idParam, writeErrors } from '../../schemas/common.ts';
import { removeMember } from '../../services/members.ts';

const route = createRoute({
  method: 'delete',
  path: '/v1/members/{id}',
  operationId: 'removeMember',
  summary: 'Remove a member: their sessions end and their API keys are revoked',
  tags: ['members'],
  security: apiKeySecurity,
  request: { params: idParam },
  responses: { 204: { description: 'Removed, or already gone' }, ...writeErrors },
});

export function registerRemoveMember(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    await removeMember(tenantContext(c), { memberId: c.req.valid('param').id });
    return c.body(null, 204);
  });
}
