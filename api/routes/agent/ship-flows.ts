// POST /v1/agent/flows: an agent ships its aggregated flow logs (policy/flow-log.ts), every 15 s.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { flowLogBatchSchema } from '../../../policy/flow-log.ts';
import type { AppEnv } from '../../env.ts';
import { agentContext } from '../../http/context.ts';
import { agentTokenSecurity, commonErrors } from '../../schemas/common.ts';
import { storeFlowLogs } from '../../services/flow-intake.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/agent/flows',
  operationId: 'shipAgentFlowLogs',
  summary: "Store a node agent's aggregated flow logs",
  tags: ['agent'],
  security: agentTokenSecurity,
  request: { body: { content: { 'application/json': { schema: flowLogBatchSchema } }, required: true } },
  description:
    "Each node's agent may add its plan's flowRowsPerAgentMinute rows a minute. Past it, entries fold into the rows of the same flow " +
    'the node stored in the last minute (their counts and bytes add up), and entries with no such row are dropped; both are counted ' +
    'per node in GET /v1/clusters/{id}/agents.',
  responses: { 204: { description: 'Stored, folded or dropped (see the description)' }, ...commonErrors },
});

export function registerShipAgentFlowLogs(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const batch = c.req.valid('json');
    const { logger, clock } = c.get('services');
    const intake = await storeFlowLogs(agentContext(c), { batch, now: clock() });
    // This process's streams need not wait for the NOTIFY round trip.
    if (intake.stored > 0) c.get('services').flowFeed.announce(c.get('agent').clusterId);
    if (batch.dropped > 0) logger.warn({ clusterId: c.get('agent').clusterId, node: batch.nodeName, dropped: batch.dropped }, 'agent dropped flow events');
    if (intake.folded > 0 || intake.dropped > 0)
      logger.info({ clusterId: c.get('agent').clusterId, node: batch.nodeName, ...intake }, 'agent over its flow cap: entries folded or dropped');
    return c.body(null, 204);
  });
}
