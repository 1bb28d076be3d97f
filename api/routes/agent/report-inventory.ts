// PUT /v1/agent/inventory: a node's agent reports the cluster's endpoint inventory (namespaces and
// pods, policy/inventory.ts) it resolves policy against, so the control plane can explain verdicts
// (GET /v1/clusters/{id}/explain) with the same inventory. One stored inventory per cluster: the
// latest report wins.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { inventorySchema } from '../../../policy/inventory.ts';
import type { AppEnv } from '../../env.ts';
import { INVENTORY_BODY_BYTES, limitBodies } from '../../http/body-limits.ts';
import { agentContext } from '../../http/context.ts';
import { nodeNameSchema } from '../../schemas/agent-status.ts';
import { agentTokenSecurity, commonErrors, jsonContent, problemSchema } from '../../schemas/common.ts';
import { storeInventory } from '../../services/agent-reports.ts';

export const AGENT_INVENTORY_PATH = '/v1/agent/inventory';

const route = createRoute({
  method: 'put',
  path: AGENT_INVENTORY_PATH,
  operationId: 'reportAgentInventory',
  summary: "Report the cluster's endpoint inventory (namespaces and pods) as the agent sees it",
  tags: ['agent'],
  security: agentTokenSecurity,
  request: {
    query: z.object({ nodeName: nodeNameSchema.openapi({ description: 'The reporting node' }) }),
    body: { content: { 'application/json': { schema: inventorySchema } }, required: true, description: `At most ${INVENTORY_BODY_BYTES} bytes` },
  },
  responses: {
    200: jsonContent(
      z
        .object({
          hash: z.string().openapi({ description: 'inventoryHash of the stored inventory' }),
          namespaces: z.number().int(),
          endpoints: z.number().int(),
        })
        .openapi('InventoryReceipt'),
      'Stored as the cluster’s latest inventory',
    ),
    ...commonErrors,
    413: { description: 'Inventory too large', content: { 'application/problem+json': { schema: problemSchema } } },
  },
});

export function registerReportAgentInventory(app: OpenAPIHono<AppEnv>) {
  app.use(AGENT_INVENTORY_PATH, limitBodies(INVENTORY_BODY_BYTES, 'inventories'));
  app.openapi(route, async (c) =>
    c.json(await storeInventory(agentContext(c), { reportedBy: c.req.valid('query').nodeName, inventory: c.req.valid('json') }), 200),
  );
}
