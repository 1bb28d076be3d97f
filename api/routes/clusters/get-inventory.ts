// GET /v1/clusters/{id}/inventory: the namespaces, pods, service accounts and nodes the cluster's
// agent last reported.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { clusterInventorySchema } from '../../schemas/cluster-inventory.ts';
import { apiKeySecurity, commonErrors, idParam, jsonContent, problem } from '../../schemas/common.ts';
import { getClusterInventory } from '../../services/cluster-inventory.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/clusters/{id}/inventory',
  operationId: 'getClusterInventory',
  summary: "Read the cluster's last reported endpoint inventory",
  description:
    "The namespaces, pods (labels, addresses, ports, node, service account), service accounts and nodes the cluster's agent last reported; " +
    'explanations and impact previews resolve selectors against it.',
  tags: ['clusters'],
  security: apiKeySecurity,
  request: { params: idParam },
  responses: {
    200: jsonContent(clusterInventorySchema, 'The inventory, with the node that reported it and when'),
    ...commonErrors,
    404: problem('No such cluster'),
    409: problem("The cluster's agents have not reported an inventory yet"),
  },
});

export function registerGetClusterInventory(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await getClusterInventory(tenantContext(c), { clusterId: c.req.valid('param').id }), 200));
}
