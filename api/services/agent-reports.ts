// What node agents report, stored for their cluster: status (like OPA's status API, one row per
// node, the latest wins) and the endpoint inventory (one per cluster, the
// latest report wins; its hash computed here, so it equals the one agents report for it).
import { and, eq } from 'drizzle-orm';
import { newId } from '../../db/index.ts';
import { agentStatus, clusterInventories, clusters } from '../../db/schema/index.ts';
import { type Inventory, inventoryHash } from '../../policy/inventory.ts';
import type { AgentStatusInput } from '../schemas/agent-status.ts';
import { type AgentContext, asAgent } from './context.ts';

export async function recordAgentStatus(ctx: AgentContext, input: AgentStatusInput): Promise<void> {
  const { agent } = ctx;
  const values = {
    appliedRevision: input.appliedRevision,
    inventoryHash: input.inventoryHash ?? null,
    agentVersion: input.agentVersion ?? null,
    errors: input.errors,
    programs: input.programs,
    reportedAt: new Date(),
  };
  await asAgent(ctx, async (tx) => {
    await tx
      .insert(agentStatus)
      .values({ id: newId(), tenantId: agent.tenantId, clusterId: agent.clusterId, nodeName: input.nodeName, ...values })
      .onConflictDoUpdate({ target: [agentStatus.tenantId, agentStatus.clusterId, agentStatus.nodeName], set: values });
    // An onboarded EKS cluster is connected once one of its agents reports.
    await tx
      .update(clusters)
      .set({ status: 'connected', updatedAt: new Date() })
      .where(and(eq(clusters.id, agent.clusterId), eq(clusters.status, 'waiting-for-agents')));
  });
}

export interface InventoryReceipt {
  hash: string;
  namespaces: number;
  endpoints: number;
}

export async function storeInventory(ctx: AgentContext, input: { reportedBy: string; inventory: Inventory }): Promise<InventoryReceipt> {
  const { agent } = ctx;
  const { inventory, reportedBy } = input;
  const hash = inventoryHash(inventory);
  const values = { inventory, hash, reportedBy, reportedAt: new Date() };
  await asAgent(ctx, (tx) =>
    tx
      .insert(clusterInventories)
      .values({ id: newId(), tenantId: agent.tenantId, clusterId: agent.clusterId, ...values })
      .onConflictDoUpdate({ target: clusterInventories.clusterId, set: values }),
  );
  return { hash, namespaces: inventory.namespaces.length, endpoints: inventory.endpoints.length };
}
