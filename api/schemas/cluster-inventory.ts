// A cluster's endpoint inventory on the wire: what its agent last reported (policy/inventory.ts),
// with who reported it and when. The console's Explain page picks source and destination from it.
import { z } from '@hono/zod-openapi';
import type { Inventory } from '../../policy/inventory.ts';
import { timestamp } from './common.ts';

const labels = z.record(z.string(), z.string());

const inventoryNamespaceSchema = z.object({ name: z.string(), labels }).openapi('InventoryNamespace');

const inventoryEndpointSchema = z
  .object({
    namespace: z.string(),
    name: z.string(),
    labels,
    ipv4: z.array(z.string()),
    ipv6: z.array(z.string()),
    ports: z.array(z.object({ name: z.string().optional(), port: z.number().int(), protocol: z.enum(['TCP', 'UDP', 'SCTP']) })),
    node: z.string().optional().openapi({ description: 'The node the pod runs on, when known' }),
    serviceAccount: z.object({ name: z.string(), labels }).optional().openapi({ description: "The pod's service account and its labels, when known" }),
  })
  .openapi('InventoryEndpoint');

const inventoryNodeSchema = z.object({ name: z.string(), labels, addresses: z.array(z.string()) }).openapi('InventoryNode');

export const clusterInventorySchema = z
  .object({
    clusterId: z.string(),
    hash: z.string().openapi({ description: 'inventoryHash() of the inventory, as the agent computes it' }),
    reportedBy: z.string().openapi({ description: 'The node whose agent sent it' }),
    reportedAt: timestamp,
    namespaces: z.array(inventoryNamespaceSchema),
    endpoints: z.array(inventoryEndpointSchema).openapi({ description: 'Every pod of the cluster, with its labels, addresses and ports' }),
    serviceAccounts: z
      .array(z.object({ namespace: z.string(), name: z.string(), labels }))
      .openapi({ description: 'The service accounts pods run as, once each, by namespace and name' }),
    nodes: z.array(inventoryNodeSchema),
  })
  .openapi('ClusterInventory');
export type ClusterInventory = z.infer<typeof clusterInventorySchema>;

/** Pods' service accounts, deduplicated by namespace/name (the first report of each wins). */
function serviceAccountsOf(inventory: Inventory): ClusterInventory['serviceAccounts'] {
  const seen = new Map<string, ClusterInventory['serviceAccounts'][number]>();
  for (const endpoint of inventory.endpoints) {
    if (!endpoint.serviceAccount) continue;
    const key = `${endpoint.namespace}/${endpoint.serviceAccount.name}`;
    if (!seen.has(key)) seen.set(key, { namespace: endpoint.namespace, name: endpoint.serviceAccount.name, labels: endpoint.serviceAccount.labels });
  }
  return [...seen.values()];
}

export function presentClusterInventory(input: {
  clusterId: string;
  inventory: Inventory;
  hash: string;
  reportedBy: string;
  reportedAt: Date;
}): ClusterInventory {
  const { inventory } = input;
  return {
    clusterId: input.clusterId,
    hash: input.hash,
    reportedBy: input.reportedBy,
    reportedAt: input.reportedAt.toISOString(),
    namespaces: inventory.namespaces,
    // Annotations and host interfaces are the agent's business, not the reader's.
    endpoints: inventory.endpoints.map(({ namespace, name, labels, ipv4, ipv6, ports, node, serviceAccount }) => ({
      namespace,
      name,
      labels,
      ipv4,
      ipv6,
      ports,
      ...(node !== undefined && { node }),
      ...(serviceAccount !== undefined && { serviceAccount }),
    })),
    serviceAccounts: serviceAccountsOf(inventory),
    nodes: inventory.nodes ?? [],
  };
}
