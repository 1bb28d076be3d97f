// The rules-per-endpoint plan limit at write time: the cluster's objects as they would be after the
// write, resolved against the inventory its agents last reported (PUT /v1/agent/inventory). Without
// an inventory there is nothing to expand selectors against, so only the agent can check (it does,
// before compiling, with the limit the bundle carries).
import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/index.ts';
import { clusterInventories, policies } from '../../db/schema/index.ts';
import { inventorySchema } from '../../policy/inventory.ts';
import type { NormalisedResource } from '../../policy/kinds/define.ts';
import { parseObject } from '../../policy/kinds/index.ts';
import { maxRulesPerEndpoint } from '../../policy/plan/endpoint-rules.ts';
import type { PlanLimits } from '../../policy/plan/limits.ts';
import { policySetFromResources } from '../../policy/policy-set-from-objects.ts';
import { assertWithinLimit } from './limits.ts';
import type { AcceptedPolicy } from './policies.ts';

interface Identity {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

const identityOf = (object: Identity) => JSON.stringify([object.apiVersion, object.kind, object.namespace, object.name]);

/** The cluster's stored objects by identity, normalised (they validated when written). */
async function storedByIdentity(tx: Tx, clusterId: string): Promise<Map<string, NormalisedResource>> {
  const rows = await tx
    .select({ apiVersion: policies.apiVersion, kind: policies.kind, namespace: policies.namespace, name: policies.name, manifest: policies.manifest })
    .from(policies)
    .where(eq(policies.clusterId, clusterId));
  const stored = new Map<string, NormalisedResource>();
  for (const row of rows) {
    const parsed = parseObject(row.manifest);
    if (parsed.ok) stored.set(identityOf(row), parsed.resource);
  }
  return stored;
}

/**
 * Refuses a write after which some endpoint's longest direction would evaluate more rules than the
 * plan allows. `written` replace the stored objects of the same identity or are added. Usage is the
 * largest count before the write, so the answer says whether this write or an earlier one got there.
 */
export async function assertRulesPerEndpoint(tx: Tx, clusterId: string, limits: PlanLimits, written: readonly AcceptedPolicy[]): Promise<void> {
  const [reported] = await tx.select({ inventory: clusterInventories.inventory }).from(clusterInventories).where(eq(clusterInventories.clusterId, clusterId));
  if (!reported) return;
  const parsed = inventorySchema.safeParse(reported.inventory);
  if (!parsed.success) return;
  const inventory = parsed.data;

  const stored = await storedByIdentity(tx, clusterId);
  const after = new Map(stored);
  for (const object of written) after.set(identityOf(object), object.resource);
  const asked = maxRulesPerEndpoint(policySetFromResources([...after.values()]), inventory);
  if (asked.rules <= limits.rulesPerEndpoint) return;
  const before = maxRulesPerEndpoint(policySetFromResources([...stored.values()]), inventory);
  assertWithinLimit(limits, 'rulesPerEndpoint', before.rules, asked.rules, {
    detail: `pod ${asked.endpoint} would evaluate ${asked.rules} rules for ${asked.direction} after selectors are expanded over the cluster's last reported inventory`,
  });
}
