// GET /v1/members: a page of the tenant's members, in the order they joined.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, commonErrors, jsonContent, listQuery, page } from '../../schemas/common.ts';
import { memberSchema } from '../../schemas/members.ts';
import { listMembers } from '../../services/members.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/members',
  operationId: 'listMembers',
  summary: "List the tenant's members and their roles",
  tags: ['members'],
  security: apiKeySecurity,
  request: { query: listQuery },
  responses: { 200: jsonContent(page(memberSchema, 'MemberPage'), 'A page of members'), ...commonErrors },
});

export function registerListMembers(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await listMembers(tenantContext(c), c.req.valid('query')), 200));
}
