// GET /v1/api-keys/{id}: one live API key (never its secret).
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySchema } from '../../schemas/api-keys.ts';
import { apiKeySecurity, commonErrors, idParam, jsonContent } from '../../schemas/common.ts';
import { getApiKey } from '../../services/api-keys.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/api-keys/{id}',
  operationId: 'getApiKey',
  summary: 'Read an API key (never its secret)',
  tags: ['api-keys'],
  security: apiKeySecurity,
  request: { params: idParam },
  responses: { 200: jsonContent(apiKeySchema, 'The key'), ...commonErrors },
});

export function registerGetApiKey(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await getApiKey(tenantContext(c), { keyId: c.req.valid('param').id }), 200));
}
