// POST /v1/invites: invite an email with a role (owner or admin; an admin cannot invite an owner). The
// token is in this answer only, with the console path that accepts it.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, idempotencyHeader, jsonContent, writeErrors } from '../../schemas/common.ts';
import { inviteInput, newInviteSchema } from '../../schemas/members.ts';
import { createInvite } from '../../services/invites.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/invites',
  operationId: 'createInvite',
  summary: 'Invite someone to the tenant with a role (the token is shown once)',
  tags: ['members'],
  security: apiKeySecurity,
  request: { headers: idempotencyHeader, body: { content: { 'application/json': { schema: inviteInput } }, required: true } },
  responses: { 201: jsonContent(newInviteSchema, 'Invited; the token is in this response only'), ...writeErrors },
});

export function registerCreateInvite(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await createInvite(tenantContext(c), c.req.valid('json'), c.get('services').clock()), 201));
}
