// GET /v1/clusters/{id}/agent-tokens/{tokenId}: one live agent token (never its secret), readable by
// the ids `terraform import` gives.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { agentTokenSchema, tokenParams } from '../../schemas/agent-tokens.ts';
import { apiKeySecurity, commonErrors, jsonContent } from '../../schemas/common.ts';
import { getAgentToken } from '../../services/agent-tokens.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/clusters/{id}/agent-tokens/{tokenId}',
  operationId: 'getAgentToken',
  summary: 'Read an agent token (never its secret)',
  tags: ['agent-tokens'],
  security: apiKeySecurity,
  request: { params: tokenParams },
  responses: { 200: jsonContent(agentTokenSchema, 'The token'), ...commonErrors },
});

export function registerGetAgentToken(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const params = c.req.valid('param');
    return c.json(await getAgentToken(tenantContext(c), { clusterId: params.id, tokenId: params.tokenId }), 200);
  });
}
