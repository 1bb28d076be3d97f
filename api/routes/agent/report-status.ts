// POST /v1/agent/status: each node's agent reports what it enforces, like OPA's status API.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { agentContext } from '../../http/context.ts';
import { agentStatusInput } from '../../schemas/agent-status.ts';
import { agentTokenSecurity, commonErrors } from '../../schemas/common.ts';
import { recordAgentStatus } from '../../services/agent-reports.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/agent/status',
  operationId: 'reportAgentStatus',
  summary: "Report a node agent's applied revision, errors and program statistics",
  tags: ['agent'],
  security: agentTokenSecurity,
  request: { body: { content: { 'application/json': { schema: agentStatusInput } }, required: true } },
  responses: { 204: { description: 'Recorded' }, ...commonErrors },
});

export function registerReportAgentStatus(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    await recordAgentStatus(agentContext(c), c.req.valid('json'));
    return c.body(null, 204);
  });
}
