// GET /v1/clusters/{id}/agents: the latest status each node's agent reported.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { agentStatusSchema, flowIntakeSchema } from '../../schemas/agent-status.ts';
import { apiKeySecurity, commonErrors, idParam, jsonContent } from '../../schemas/common.ts';
import { listClusterAgents } from '../../services/clusters.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/clusters/{id}/agents',
  operationId: 'listClusterAgents',
  summary: "The latest status of each node's agent",
  tags: ['clusters'],
  security: apiKeySecurity,
  request: { params: idParam },
  responses: {
    200: jsonContent(
      z
        .object({
          items: z.array(agentStatusSchema),
          flows: flowIntakeSchema.openapi({ description: 'Flow log entries folded or dropped over the flow cap, summed over every node of the cluster' }),
        })
        .openapi('AgentStatusList'),
      'One entry per node',
    ),
    ...commonErrors,
  },
});

export function registerListClusterAgents(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await listClusterAgents(tenantContext(c), { clusterId: c.req.valid('param').id }), 200));
}
