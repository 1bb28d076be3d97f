// POST /v1/api-keys: create an API key with a role no higher than the creator's; the secret is in
// this response only.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeyInput, apiKeySchema } from '../../schemas/api-keys.ts';
import { apiKeySecurity, commonErrors, idempotencyHeader, jsonContent } from '../../schemas/common.ts';
import { createApiKey } from '../../services/api-keys.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/api-keys',
  operationId: 'createApiKey',
  summary: 'Create an API key (the secret is in this response only)',
  tags: ['api-keys'],
  security: apiKeySecurity,
  request: { headers: idempotencyHeader, body: { content: { 'application/json': { schema: apiKeyInput } }, required: true } },
  responses: { 201: jsonContent(apiKeySchema.extend({ key: z.string() }).openapi('NewApiKey'), 'Created'), ...commonErrors },
});

export function registerCreateApiKey(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await createApiKey(tenantContext(c), c.req.valid('json')), 201));
}
