// DELETE /v1/session: sign out. The session row goes (the token is worthless from then on) and the
// cookie is cleared.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { clearSessionCookie } from '../../http/session-cookie.ts';
import { apiKeySecurity, commonErrors } from '../../schemas/common.ts';
import { endOwnSession } from '../../services/sessions.ts';

const route = createRoute({
  method: 'delete',
  path: '/v1/session',
  operationId: 'signOut',
  summary: 'Sign out: end the session and clear its cookie',
  tags: ['session'],
  security: apiKeySecurity,
  responses: { 204: { description: 'Signed out' }, ...commonErrors },
});

export function registerSignOut(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    await endOwnSession(tenantContext(c));
    clearSessionCookie(c);
    return c.body(null, 204);
  });
}
