// POST /v1/session: sign in with email and password; the answer sets the session cookie and carries
// the CSRF token the console sends back on every unsafe request.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { setSessionCookie } from '../../http/session-cookie.ts';
import { commonErrors, jsonContent } from '../../schemas/common.ts';
import { sessionCookieHeader, sessionSchema, signInSchema } from '../../schemas/session.ts';
import { signIn } from '../../services/sessions.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/session',
  operationId: 'signIn',
  summary: 'Sign in: a session cookie for a member, and its CSRF token',
  tags: ['session'],
  request: { body: { content: { 'application/json': { schema: signInSchema } }, required: true } },
  responses: {
    200: { ...jsonContent(sessionSchema, 'Signed in; the cookie is set'), headers: sessionCookieHeader },
    ...commonErrors,
  },
});

export function registerSignIn(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const now = c.get('services').clock();
    const opened = await signIn(c.get('services').database.db, c.req.valid('json'), now);
    setSessionCookie(c, opened.token, opened.endsAt, now);
    return c.json(opened.view, 200);
  });
}
