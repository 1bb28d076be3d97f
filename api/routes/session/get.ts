// GET /v1/session: who the session cookie signs in as, with its CSRF token (the console reads it after
// a reload) and its idle expiry; 401 when there is no live session.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, commonErrors, jsonContent } from '../../schemas/common.ts';
import { sessionSchema } from '../../schemas/session.ts';
import { getOwnSession } from '../../services/sessions.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/session',
  operationId: 'getSession',
  summary: 'The signed-in member, tenant and CSRF token of the session cookie',
  tags: ['session'],
  security: apiKeySecurity,
  responses: { 200: jsonContent(sessionSchema, 'The live session'), ...commonErrors },
});

export function registerGetSession(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await getOwnSession(tenantContext(c)), 200));
}
