// POST /v1/agent/flows: an agent ships its aggregated flow logs (policy/flow-log.ts), every 15 s.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { flowLogBatchSchema } from '../../../policy/flow-log.ts';
import type { AppEnv } from '../../env.ts';
import { agentContext } from '../../http/context.ts';
import { agentTokenSecurity, commonErrors } from '../../schemas/common.ts';
import { storeFlowLogs } from '../../services/agent-reports.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/agent/flows',
  operationId: 'shipAgentFlowLogs',
  summary: "Store a node agent's aggregated flow logs",
  tags: ['agent'],
  security: agentTokenSecurity,
  request: { body: { content: { 'application/json': { schema: flowLogBatchSchema } }, required: true } },
  responses: { 204: { description: 'Stored' }, ...commonErrors },
});

export function registerShipAgentFlowLogs(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const batch = c.req.valid('json');
    await storeFlowLogs(agentContext(c), batch);
    // This process's streams need not wait for the NOTIFY round trip.
    if (batch.entries.length > 0) c.get('services').flowFeed.announce(c.get('agent').clusterId);
    if (batch.dropped > 0)
      c.get('services').logger.warn({ clusterId: c.get('agent').clusterId, node: batch.nodeName, dropped: batch.dropped }, 'agent dropped flow events');
    return c.body(null, 204);
  });
}
