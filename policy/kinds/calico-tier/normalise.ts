// A Tier in the IR: its name, order (LAST_ORDER when it has none: Calico applies such tiers last,
// ties by name) and default action. buildPolicySet places policies in it by their `tier`. A Tier
// named kube-admin or kube-baseline is the admin or baseline tier (ir.ts TIER_NAME_ALIASES).
import { canonicalTierName, LAST_ORDER, type TierDefinition } from '../../ir.ts';
import type { DefaultedTier } from './defaults.ts';

export function normaliseTier(tier: DefaultedTier): TierDefinition {
  return { name: canonicalTierName(tier.metadata.name), order: tier.spec.order ?? LAST_ORDER, defaultAction: tier.spec.defaultAction };
}
