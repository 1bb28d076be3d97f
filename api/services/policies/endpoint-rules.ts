// The rules-per-endpoint plan limit at write time: the cluster's objects as they would be after the
// write, resolved against the inventory its agents last reported (PUT /v1/agent/inventory). Without
// an inventory there is nothing to expand selectors against, so only the agent can check (it does,
// before compiling, with the limit the bundle carries).
import { eq } from 'drizzle-orm';
import { statement, type Tx } from '../../../db/index.ts';
import { clusterInventories } from '../../../db/schema/index.ts';
import { type Inventory, inventorySchema } from '../../../policy/inventory.ts';
import { maxRulesPerEndpoint } from '../../../policy/plan/endpoint-rules.ts';
import type { PlanLimits } from '../../../policy/plan/limits.ts';
import { policySetFromResources } from '../../../policy/policy-set-from-objects.ts';
import { assertWithinLimit } from '../limits.ts';
import type { ObjectsByIdentity } from './cluster-objects.ts';

const readInventory = statement('reported-inventory', (tx, values: { clusterId: string }) =>
  tx.select({ inventory: clusterInventories.inventory }).from(clusterInventories).where(eq(clusterInventories.clusterId, values.clusterId)),
);

/** The inventory the cluster's agents last reported, or undefined when none (or none this version reads). */
export async function reportedInventory(tx: Tx, clusterId: string): Promise<Inventory | undefined> {
  const [reported] = await readInventory(tx, { clusterId });
  if (!reported) return undefined;
  const parsed = inventorySchema.safeParse(reported.inventory);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Refuses a write after which some endpoint's longest direction would evaluate more rules than the
 * plan allows. Usage is the largest count before the write, so the answer says whether this write
 * or an earlier one got there.
 */
export async function assertRulesPerEndpoint(
  inventory: Inventory,
  limits: PlanLimits,
  states: () => Promise<{ before: ObjectsByIdentity; after: ObjectsByIdentity }>,
): Promise<void> {
  // Only now, with an inventory to expand selectors against, is every stored object's IR read.
  const { before, after } = await states();

  const asked = maxRulesPerEndpoint(policySetFromResources([...after.values()]), inventory);
  if (asked.rules <= limits.rulesPerEndpoint) return;
  const current = maxRulesPerEndpoint(policySetFromResources([...before.values()]), inventory);
  assertWithinLimit(limits, 'rulesPerEndpoint', current.rules, asked.rules, {
    detail: `pod ${asked.endpoint} would evaluate ${asked.rules} rules for ${asked.direction} after selectors are expanded over the cluster's last reported inventory`,
  });
}
