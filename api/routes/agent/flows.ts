// POST /v1/agent/flows: an agent ships its aggregated flow logs (policy/flow-log.ts), every 15 s.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { newId, withTenant } from '../../../db/index.ts';
import { flowLogs } from '../../../db/schema/index.ts';
import { flowLogBatchSchema } from '../../../policy/flow-log.ts';
import type { AppEnv } from '../../env.ts';
import { commonErrors } from '../../schemas/common.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/agent/flows',
  operationId: 'shipAgentFlowLogs',
  summary: "Store a node agent's aggregated flow logs",
  tags: ['agent'],
  security: [{ agentToken: [] }],
  request: { body: { content: { 'application/json': { schema: flowLogBatchSchema } }, required: true } },
  responses: { 204: { description: 'Stored' }, ...commonErrors },
});

export function registerAgentFlows(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const agent = c.get('agent');
    const batch = c.req.valid('json');
    if (batch.entries.length > 0) {
      await withTenant(c.get('services').database.db, agent.tenantId, (tx) =>
        tx.insert(flowLogs).values(
          batch.entries.map((entry) => ({
            ...entry,
            id: newId(),
            tenantId: agent.tenantId,
            clusterId: agent.clusterId,
            nodeName: batch.nodeName,
            startTime: new Date(entry.startTime),
            endTime: new Date(entry.endTime),
            rule: entry.rule,
            pendingVerdict: entry.pendingVerdict ?? null,
            pendingRule: entry.pendingRule ?? null,
          })),
        ),
      );
    }
    if (batch.dropped > 0) c.get('services').logger.warn({ clusterId: agent.clusterId, node: batch.nodeName, dropped: batch.dropped }, 'agent dropped flow events');
    return c.body(null, 204);
  });
}
