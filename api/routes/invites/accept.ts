// POST /v1/invites/accept: the invited person chooses a password with the invite's token; they become
// a member with the invited role and are signed in (the session cookie is set).
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { setSessionCookie } from '../../http/session-cookie.ts';
import { jsonContent, writeErrors } from '../../schemas/common.ts';
import { acceptInviteInput } from '../../schemas/members.ts';
import { sessionCookieHeader, sessionSchema } from '../../schemas/session.ts';
import { acceptInvite } from '../../services/invites.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/invites/accept',
  operationId: 'acceptInvite',
  summary: 'Accept an invite: become a member with a password, signed in',
  tags: ['members'],
  request: { body: { content: { 'application/json': { schema: acceptInviteInput } }, required: true } },
  responses: { 201: { ...jsonContent(sessionSchema, 'Joined and signed in; the cookie is set'), headers: sessionCookieHeader }, ...writeErrors },
});

export function registerAcceptInvite(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const now = c.get('services').clock();
    const opened = await acceptInvite(c.get('services').database.db, c.req.valid('json'), now);
    setSessionCookie(c, opened.token, opened.endsAt, now);
    return c.json(opened.view, 201);
  });
}
