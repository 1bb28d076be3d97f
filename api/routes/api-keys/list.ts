// GET /v1/api-keys: a page of the tenant's live API keys, filtered by role.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySchema } from '../../schemas/api-keys.ts';
import { apiKeySecurity, commonErrors, jsonContent, listQuery, page } from '../../schemas/common.ts';
import { listApiKeys } from '../../services/api-keys.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/api-keys',
  operationId: 'listApiKeys',
  summary: 'List live API keys',
  tags: ['api-keys'],
  security: apiKeySecurity,
  request: { query: listQuery.extend({ role: apiKeySchema.shape.role.optional() }) },
  responses: { 200: jsonContent(page(apiKeySchema, 'ApiKeyPage'), 'A page of keys'), ...commonErrors },
});

export function registerListApiKeys(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await listApiKeys(tenantContext(c), c.req.valid('query')), 200));
}
