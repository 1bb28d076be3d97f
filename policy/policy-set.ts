// Groups IR policies into tiers (../shared/DESIGN.md, "Policy semantics"). The result is ordered the
// way the dataplane evaluates it, and depends only on the set of inputs, never on their order:
// tiers ascending by order (then name), inside a tier policies as Felix sorts them (order, then the
// Calico key name; policy-order.ts), network sets and bandwidth policies by id.
import type { BandwidthPolicy, BundleLimits, HostEndpoint, NetworkSet, Policy, PolicySet, Tier, TierDefinition } from './ir.ts';
import { comparePolicies } from './policy-order.ts';
import { effectiveTiers, tierNameOf } from './tiers.ts';

export interface PolicySetInputs {
  /** Tier objects (IR of Calico Tier kinds); the built-in tiers exist without them. */
  tiers?: readonly TierDefinition[];
  /** Network sets (IR of Calico NetworkSet and GlobalNetworkSet kinds) rule selectors may match. */
  networkSets?: readonly NetworkSet[];
  /** BandwidthPolicy objects (their IR). */
  bandwidthPolicies?: readonly BandwidthPolicy[];
  /** Calico HostEndpoints (their IR), which doNotTrack policies select. */
  hostEndpoints?: readonly HostEndpoint[];
  /** The tenant's plan limits for the agent to enforce (policy/plan/bundle-limits.ts). */
  limits?: BundleLimits;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function uniqueById<T extends { id: string }>(items: readonly T[], what: string): T[] {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id)) throw new Error(`duplicate ${what} id ${JSON.stringify(item.id)}`);
    seen.add(item.id);
  }
  return [...items];
}

/**
 * Places each policy in its tier; only tiers with policies appear. Refuses two policies (or network
 * sets, or bandwidth policies) with one id, since flow logs name rules by it, and a policy naming a tier that does not
 * exist (the API refuses that on write, see tiers.ts missingTierIssue).
 */
export function buildPolicySet(policies: readonly Policy[], inputs: PolicySetInputs = {}): PolicySet {
  const definitions = effectiveTiers(inputs.tiers ?? []);
  const tiers = new Map<string, Tier>();
  for (const policy of uniqueById(policies, 'policy')) {
    const name = tierNameOf(policy);
    const definition = definitions.get(name);
    if (!definition) throw new Error(`policy ${JSON.stringify(policy.id)} names tier ${JSON.stringify(name)}, which does not exist`);
    let tier = tiers.get(name);
    if (!tier) {
      tier = { ...definition, policies: [] };
      tiers.set(name, tier);
    }
    tier.policies.push(policy);
  }
  for (const tier of tiers.values()) {
    tier.policies.sort(comparePolicies);
  }
  const set: PolicySet = { tiers: [...tiers.values()].sort((a, b) => a.order - b.order || compareText(a.name, b.name)) };
  const networkSets = uniqueById(inputs.networkSets ?? [], 'network set').sort((a, b) => compareText(a.id, b.id));
  // Left out when empty, so a policy set without network sets encodes (and hashes) as it always did.
  if (networkSets.length > 0) set.networkSets = networkSets;
  const bandwidthPolicies = uniqueById(inputs.bandwidthPolicies ?? [], 'bandwidth policy').sort((a, b) => compareText(a.id, b.id));
  if (bandwidthPolicies.length > 0) set.bandwidthPolicies = bandwidthPolicies;
  const hostEndpoints = uniqueById(inputs.hostEndpoints ?? [], 'host endpoint').sort((a, b) => compareText(a.id, b.id));
  if (hostEndpoints.length > 0) set.hostEndpoints = hostEndpoints;
  // Likewise: no limits, no key (and an empty object is no limits).
  if (inputs.limits && Object.keys(inputs.limits).length > 0) set.limits = inputs.limits;
  return set;
}
