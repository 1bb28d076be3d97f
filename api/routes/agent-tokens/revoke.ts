// DELETE /v1/clusters/{id}/agent-tokens/{tokenId}: revoke an agent token; repeating it succeeds.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { tokenParams } from '../../schemas/agent-tokens.ts';
import { apiKeySecurity, commonErrors } from '../../schemas/common.ts';
import { revokeAgentToken } from '../../services/agent-tokens.ts';

const route = createRoute({
  method: 'delete',
  path: '/v1/clusters/{id}/agent-tokens/{tokenId}',
  operationId: 'revokeAgentToken',
  summary: 'Revoke an agent token; repeating it succeeds',
  tags: ['agent-tokens'],
  security: apiKeySecurity,
  request: { params: tokenParams },
  responses: { 204: { description: 'Revoked, or already gone' }, ...commonErrors },
});

export function registerRevokeAgentToken(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const params = c.req.valid('param');
    await revokeAgentToken(tenantContext(c), { clusterId: params.id, tokenId: params.tokenId });
    return c.body(null, 204);
  });
}
