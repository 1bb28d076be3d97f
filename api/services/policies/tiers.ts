// The tier checks of a policy write, against the cluster's objects as they would be after it: a
// policy must name a tier that exists (built in or a Tier object), as Calico refuses a policy in an
// unknown tier, and a Tier still holding policies cannot go.

import type { Policy, TierDefinition } from '../../../policy/ir.ts';
import type { NormalisedResource } from '../../../policy/kinds/define.ts';
import { missingTierIssue, policiesInTier } from '../../../policy/tiers.ts';
import { ApiError, type FieldError, pathToString, validationFailed } from '../../errors/api-error.ts';
import type { AcceptedPolicy } from './accept.ts';

export interface WrittenObject {
  object: AcceptedPolicy;
  /** Where its field paths start: '' for one object, `3.` for the fourth document of an apply. */
  pathPrefix: string;
}

export function assertTiersExist(written: readonly WrittenObject[], after: Iterable<NormalisedResource>): void {
  const tiers: TierDefinition[] = [];
  for (const resource of after) if (resource.type === 'tier') tiers.push(resource.tier);
  const errors = written.flatMap(({ object, pathPrefix }): FieldError[] => {
    if (object.resource.type !== 'policy') return [];
    const issue = missingTierIssue(object.resource.policy, tiers);
    return issue ? [{ path: `${pathPrefix}${pathToString(issue.path)}`, message: issue.message }] : [];
  });
  if (errors.length > 0) throw validationFailed(errors);
}

export function assertTiersEmpty(deletedTierNames: readonly string[], after: Iterable<NormalisedResource>): void {
  if (deletedTierNames.length === 0) return;
  const placed: Policy[] = [];
  for (const resource of after) if (resource.type === 'policy') placed.push(resource.policy);
  for (const tierName of deletedTierNames) {
    const blocking = policiesInTier(tierName, placed);
    if (blocking.length > 0)
      throw new ApiError(
        'CONFLICT',
        `tier ${tierName} still holds ${blocking.length} policies (${blocking.slice(0, 5).join(', ')}); move or delete them first`,
      );
  }
}
