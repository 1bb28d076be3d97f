// GET /v1/members/{id}: one member, by the id the list and an invite's acceptance give.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, commonErrors, idParam, jsonContent } from '../../schemas/common.ts';
import { memberSchema } from '../../schemas/members.ts';
import { getMember } from '../../services/members.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/members/{id}',
  operationId: 'getMember',
  summary: 'Read one member and their role',
  tags: ['members'],
  security: apiKeySecurity,
  request: { params: idParam },
  responses: { 200: jsonContent(memberSchema, 'The member'), ...commonErrors },
});

export function registerGetMember(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await getMember(tenantContext(c), { memberId: c.req.valid('param').id }), 200));
}
