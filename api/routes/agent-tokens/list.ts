// GET /v1/clusters/{id}/agent-tokens: a page of the cluster's live agent tokens.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { agentTokenSchema } from '../../schemas/agent-tokens.ts';
import { apiKeySecurity, commonErrors, idParam, jsonContent, listQuery, page } from '../../schemas/common.ts';
import { listAgentTokens } from '../../services/agent-tokens.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/clusters/{id}/agent-tokens',
  operationId: 'listAgentTokens',
  summary: "List the cluster's live agent tokens",
  tags: ['agent-tokens'],
  security: apiKeySecurity,
  request: { params: idParam, query: listQuery },
  responses: { 200: jsonContent(page(agentTokenSchema, 'AgentTokenPage'), 'A page of tokens'), ...commonErrors },
});

export function registerListAgentTokens(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await listAgentTokens(tenantContext(c), { clusterId: c.req.valid('param').id, page: c.req.valid('query') }), 200));
}
