// Groups IR policies into tiers (../shared/DESIGN.md, "Policy semantics"). The result is ordered the
// way the dataplane evaluates it, and depends only on the set of policies, never on input order.
import { TIER_ORDER, type Policy, type PolicySet, type Tier } from './ir.ts';

type TierPlacement = Pick<Tier, 'name' | 'order' | 'defaultAction'>;

/** Kubernetes NetworkPolicies share the default tier; its default is Deny, which isolates selected pods. */
const DEFAULT_TIER: TierPlacement = { name: 'default', order: TIER_ORDER.default, defaultAction: 'Deny' };

/**
 * The IR Policy has no tier field, so the tier follows from the kind. Kinds with tiers of their own
 * (Calico's, AdminNetworkPolicy) need that field in the IR before they can be placed here.
 */
function tierOf(policy: Policy): TierPlacement {
  switch (policy.kind) {
    case 'NetworkPolicy':
      return DEFAULT_TIER;
    default:
      throw new Error(`no tier placement for policy kind ${JSON.stringify(policy.kind)} (${policy.id})`);
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Tiers ascending by order (then name); inside a tier, policies by order, then id. Duplicate ids are refused. */
export function buildPolicySet(policies: readonly Policy[]): PolicySet {
  const tiers = new Map<string, Tier>();
  const seen = new Set<string>();
  for (const policy of policies) {
    if (seen.has(policy.id)) throw new Error(`duplicate policy id ${JSON.stringify(policy.id)}`);
    seen.add(policy.id);
    const placement = tierOf(policy);
    let tier = tiers.get(placement.name);
    if (!tier) {
      tier = { ...placement, policies: [] };
      tiers.set(placement.name, tier);
    }
    tier.policies.push(policy);
  }
  for (const tier of tiers.values()) {
    tier.policies.sort((a, b) => a.order - b.order || compareText(a.id, b.id));
  }
  return { tiers: [...tiers.values()].sort((a, b) => a.order - b.order || compareText(a.name, b.name)) };
}
