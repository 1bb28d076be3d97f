// Tiers: the three built in (DESIGN.md "Policy semantics", Calico 3.30's built-in tiers) and those
// Tier objects define, and the write-time checks that keep policies and tiers consistent: a policy
// may name only a tier that exists, and a tier with policies in it may not be deleted (Calico refuses
// both, so a bundle never has to guess where a policy goes).
import { type Policy, TIER_ORDER, type TierDefinition } from './ir.ts';
import type { PolicyIssue } from './kinds/issues.ts';
import { notFound } from './validation/field-errors.ts';

/** The built-in tiers; a Tier object of the same name may change only its default action. */
export const BUILT_IN_TIERS: readonly TierDefinition[] = [
  { name: 'adminnetworkpolicy', order: TIER_ORDER.adminnetworkpolicy, defaultAction: 'Pass' },
  { name: 'default', order: TIER_ORDER.default, defaultAction: 'Deny' },
  { name: 'baselineadminnetworkpolicy', order: TIER_ORDER.baselineadminnetworkpolicy, defaultAction: 'Pass' },
];

export const DEFAULT_TIER_NAME = 'default';

export function isBuiltInTier(name: string): boolean {
  return BUILT_IN_TIERS.some((tier) => tier.name === name);
}

/** The tier a policy is placed in: its `tier`, or the default tier (Kubernetes NetworkPolicy). */
export function tierNameOf(policy: Pick<Policy, 'tier'>): string {
  return policy.tier ?? DEFAULT_TIER_NAME;
}

/**
 * Built-in tiers overlaid by Tier objects, by name; two definitions of one name are refused, except
 * for a built-in tier defined under both of its names (kube-admin and adminnetworkpolicy): those can
 * only agree, since validation fixes the order and lets the admin tiers only pass.
 */
export function effectiveTiers(defined: readonly TierDefinition[]): Map<string, TierDefinition> {
  const tiers = new Map(BUILT_IN_TIERS.map((tier) => [tier.name, tier]));
  const seen = new Map<string, TierDefinition>();
  for (const tier of defined) {
    const earlier = seen.get(tier.name);
    const sameBuiltIn = earlier !== undefined && isBuiltInTier(tier.name) && earlier.defaultAction === tier.defaultAction;
    if (earlier !== undefined && !sameBuiltIn) throw new Error(`duplicate tier ${JSON.stringify(tier.name)}`);
    seen.set(tier.name, tier);
    const builtIn = tiers.get(tier.name);
    // Validation keeps a built-in tier's order fixed; keep it here too whatever the input says.
    tiers.set(tier.name, builtIn ? { ...builtIn, defaultAction: tier.defaultAction } : { ...tier });
  }
  return tiers;
}

/**
 * For the API on write: the issue to report when a policy names a tier that does not exist (neither
 * built in nor defined by a Tier object), at `spec.tier` where Calico kinds write it.
 */
export function missingTierIssue(policy: Pick<Policy, 'tier'>, defined: readonly TierDefinition[]): PolicyIssue | null {
  const name = tierNameOf(policy);
  if (isBuiltInTier(name) || defined.some((tier) => tier.name === name)) return null;
  return { path: ['spec', 'tier'], message: notFound(name, 'no Tier of this name exists; create the Tier first') };
}

/**
 * For the API before deleting a Tier object: the ids of the policies still in it, which must be moved
 * or deleted first. Deleting the object of a built-in tier only restores its built-in definition.
 */
export function policiesInTier(tierName: string, policies: readonly Pick<Policy, 'id' | 'tier'>[]): string[] {
  if (isBuiltInTier(tierName)) return [];
  return policies
    .filter((policy) => tierNameOf(policy) === tierName)
    .map((policy) => policy.id)
    .sort();
}
