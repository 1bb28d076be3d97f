// Calico 3.30's rule for the names of tiered policies (libcalico-go lib/names/policy.go,
// ValidateTieredPolicyName, enforced since 3.29.4 and 3.30): in the default tier a name is either
// plain or prefixed "default."; in any other tier it must be "<tier>.<name>". Calico 3.32 dropped the
// prefix requirement (projectcalico/calico#11232); 3.30 still enforces it, and so do we.
import type { z } from 'zod';
import { invalidValue } from '../../validation/field-errors.ts';
import { addIssue } from '../issues.ts';

export const DEFAULT_TIER = 'default';

/** The detail of the problem with `name` in `tier`, or null when the name is well formed. */
export function tieredPolicyNameError(name: string, tier: string): string | null {
  const dot = name.indexOf('.');
  if (tier === DEFAULT_TIER) {
    if (dot === -1 || name.startsWith(`${DEFAULT_TIER}.`)) return null;
    return `a policy in the default tier is named without a dot or with the prefix "default." (Calico 3.30)`;
  }
  if (name.startsWith(`${tier}.`) && name.length > tier.length + 1) return null;
  return `a policy in tier ${JSON.stringify(tier)} must be named "${tier}.<name>" (Calico 3.30)`;
}

export function tieredPolicyNameMessage(name: string, tier: string): string | null {
  const detail = tieredPolicyNameError(name, tier);
  return detail === null ? null : invalidValue(name, detail);
}

/** The name rule depends on spec.tier, so it is checked on the whole object (path metadata.name). */
export function checkTieredName(object: { metadata: { name: string }; spec?: { tier?: string | undefined } | undefined }, ctx: z.RefinementCtx): void {
  const message = tieredPolicyNameMessage(object.metadata.name, object.spec?.tier || DEFAULT_TIER);
  if (object.metadata.name !== '' && message) addIssue(ctx, ['metadata', 'name'], message);
}
