// GET /v1/invites: invites not yet accepted and not expired.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, commonErrors, jsonContent, listQuery, page } from '../../schemas/common.ts';
import { inviteSchema } from '../../schemas/members.ts';
import { listInvites } from '../../services/invites.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/invites',
  operationId: 'listInvites',
  summary: 'List pending invites',
  tags: ['members'],
  security: apiKeySecurity,
  request: { query: listQuery },
  responses: { 200: jsonContent(page(inviteSchema, 'InvitePage'), 'A page of pending invites'), ...commonErrors },
});

export function registerListInvites(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await listInvites(tenantContext(c), c.req.valid('query'), c.get('services').clock()), 200));
}
