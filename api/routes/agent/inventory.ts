// PUT /v1/agent/inventory: a node's agent reports the cluster's endpoint inventory (namespaces and
// pods, policy/inventory.ts) it resolves policy against, so the control plane can explain verdicts
// (GET /v1/clusters/{id}/explain) with the same inventory. One stored inventory per cluster: the
// latest report wins. The hash is computed here from the validated inventory (inventoryHash), so it
// equals the one the agent reports in its status for the inventory it applied.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { newId, withTenant } from '../../../db/index.ts';
import { clusterInventories } from '../../../db/schema/index.ts';
import { inventoryHash, inventorySchema } from '../../../policy/inventory.ts';
import type { AppEnv } from '../../env.ts';
import { ApiError } from '../../errors/api-error.ts';
import { commonErrors, jsonContent, problemSchema } from '../../schemas/common.ts';

export const AGENT_INVENTORY_PATH = '/v1/agent/inventory';
/**
 * Inventories outgrow ordinary request bodies (a pod is a few hundred bytes; big clusters have tens of
 * thousands), so this path has its own limit instead of the API-wide one (app.ts skips it there).
 */
export const MAX_INVENTORY_BYTES = 16 * 1024 * 1024;

const nodeName = z.string().min(1).max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS subdomain (a Kubernetes node name)');

const route = createRoute({
  method: 'put',
  path: AGENT_INVENTORY_PATH,
  operationId: 'reportAgentInventory',
  summary: "Report the cluster's endpoint inventory (namespaces and pods) as the agent sees it",
  tags: ['agent'],
  security: [{ agentToken: [] }],
  request: {
    query: z.object({ nodeName: nodeName.openapi({ description: 'The reporting node' }) }),
    body: { content: { 'application/json': { schema: inventorySchema } }, required: true, description: `At most ${MAX_INVENTORY_BYTES} bytes` },
  },
  responses: {
    200: jsonContent(
      z.object({ hash: z.string().openapi({ description: 'inventoryHash of the stored inventory' }), namespaces: z.number().int(), endpoints: z.number().int() }).openapi('InventoryReceipt'),
      'Stored as the cluster’s latest inventory',
    ),
    ...commonErrors,
    413: { description: 'Inventory too large', content: { 'application/problem+json': { schema: problemSchema } } },
  },
});

export function registerAgentInventory(app: OpenAPIHono<AppEnv>) {
  app.use(
    AGENT_INVENTORY_PATH,
    bodyLimit({
      maxSize: MAX_INVENTORY_BYTES,
      onError: () => {
        throw new ApiError('PAYLOAD_TOO_LARGE', `inventories are limited to ${MAX_INVENTORY_BYTES} bytes`);
      },
    }),
  );
  app.openapi(route, async (c) => {
    const agent = c.get('agent');
    const { nodeName: reportedBy } = c.req.valid('query');
    const inventory = c.req.valid('json');
    const hash = inventoryHash(inventory);
    const values = { inventory, hash, reportedBy, reportedAt: new Date() };
    await withTenant(c.get('services').database.db, agent.tenantId, (tx) =>
      tx
        .insert(clusterInventories)
        .values({ id: newId(), tenantId: agent.tenantId, clusterId: agent.clusterId, ...values })
        .onConflictDoUpdate({ target: clusterInventories.clusterId, set: values }),
    );
    return c.json({ hash, namespaces: inventory.namespaces.length, endpoints: inventory.endpoints.length }, 200);
  });
}
