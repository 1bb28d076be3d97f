// What Calico's staged policy kinds share: `stagedAction`, Set (default) or Delete.
// - Set: the policy is evaluated for flow logs only, as if it replaced the enforced policy of the
//   same kind, namespace and name (its IR `stagedTarget`).
// - Delete: previews deleting that enforced policy. Calico requires every other spec field (the tier
//   excepted) to be left empty ("Spec fields, except Tier, should all be zero-value if stagedAction is
//   Delete", validateStagedNetworkPolicy). In the IR it is a staged policy with no directions and no
//   rules whose `stagedTarget` names the policy to leave out of the "would have been" verdict.
// Calico's Learn and Ignore actions (policy recommendation bookkeeping) are not accepted.
import type { z } from 'zod';
import type { Policy } from '../../ir.ts';
import { forbidden } from '../../validation/field-errors.ts';
import { addIssue } from '../issues.ts';
import { enumOf } from '../shared/enum.ts';

export const STAGED_ACTIONS = ['Set', 'Delete'] as const;
export type StagedAction = (typeof STAGED_ACTIONS)[number];
export const stagedActionSchema = enumOf(STAGED_ACTIONS);

/** Go's zero values as JSON shows them: absent, null (a nil pointer), "", false, [] and, for a struct such as a label selector, {}. */
function isZero(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && Object.values(value).every(isZero);
}

/** With stagedAction Delete, every spec field but those in `keep` must be empty. */
export function checkStagedDelete(spec: Record<string, unknown>, ctx: z.RefinementCtx, keep: readonly string[]): void {
  if (spec.stagedAction !== 'Delete') return;
  for (const [field, value] of Object.entries(spec)) {
    if (!keep.includes(field) && !isZero(value)) addIssue(ctx, [field], forbidden('must be empty when stagedAction is Delete'));
  }
}

/** The IR of a staged deletion: governs nothing, names what it would delete. */
export function stagedDeletion(base: Pick<Policy, 'id' | 'kind' | 'namespace' | 'name' | 'order' | 'subject'>, tier: string, target: string): Policy {
  return { ...base, staged: true, tier, stagedTarget: target, directions: [], ingress: [], egress: [] };
}
