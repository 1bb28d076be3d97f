// PUT /v1/agent/inventory: a node's agent reports the cluster's endpoint inventory (namespaces and
// pods, policy/inventory.ts) it resolves policy against, so the control plane can explain verdicts
// (GET /v1/clusters/{id}/explain) with the same inventory. One stored inventory per cluster: the
// latest report wins.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { inventorySchema } from '../../../policy/inventory.ts';
import type { AppEnv } from '../../env.ts';
import { ApiError } from '../../errors/api-error.ts';
import { agentContext } from '../../http/context.ts';
import { nodeNameSchema } from '../../schemas/agent-status.ts';
import { agentTokenSecurity, commonErrors, jsonContent, problemSchema } from '../../schemas/common.ts';
import { storeInventory } from '../../services/agent-reports.ts';

export const AGENT_INVENTORY_PATH = '/v1/agent/inventory';
/**
 * Inventories outgrow ordinary request bodies (a pod is a few hundred bytes; big clusters have tens of
 * thousands), so this path has its own limit instead of the API-wide one (app.ts skips it there).
 */
export const MAX_INVENTORY_BYTES = 16 * 1024 * 1024;

const route = createRoute({
  method: 'put',
  path: AGENT_INVENTORY_PATH,
  operationId: 'reportAgentInventory',
  summary: "Report the cluster's endpoint inventory (namespaces and pods) as the agent sees it",
  tags: ['agent'],
  security: agentTokenSecurity,
  request: {
    query: z.object({ nodeName: nodeNameSchema.openapi({ description: 'The reporting node' }) }),
    body: { content: { 'application/json': { schema: inventorySchema } }, required: true, description: `At most ${MAX_INVENTORY_BYTES} bytes` },
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
  app.use(
    AGENT_INVENTORY_PATH,
    bodyLimit({
      maxSize: MAX_INVENTORY_BYTES,
      onError: () => {
        throw new ApiError('PAYLOAD_TOO_LARGE', `inventories are limited to ${MAX_INVENTORY_BYTES} bytes`);
      },
    }),
  );
  app.openapi(route, async (c) =>
    c.json(await storeInventory(agentContext(c), { reportedBy: c.req.valid('query').nodeName, inventory: c.req.valid('json') }), 200),
  );
}
