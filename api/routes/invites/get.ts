// GET /v1/invites/{id}: one pending invite (never its token); once accepted, expired or withdrawn, 404.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, commonErrors, idParam, jsonContent } from '../../schemas/common.ts';
import { inviteSchema } from '../../schemas/members.ts';
import { getInvite } from '../../services/invites.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/invites/{id}',
  operationId: 'getInvite',
  summary: 'Read one pending invite',
  tags: ['members'],
  security: apiKeySecurity,
  request: { params: idParam },
  responses: { 200: jsonContent(inviteSchema, 'The invite'), ...commonErrors },
});

export function registerGetInvite(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await getInvite(tenantContext(c), { inviteId: c.req.valid('param').id }, c.get('services').clock()), 200));
}
