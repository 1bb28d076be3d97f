// A cluster's stored objects (policies of every kind, tiers, network sets) to the PolicySet its bundle
// carries. Shared by the bundle builder and anything that must predict a bundle's content (the lab).
import { contentHashOf } from './bundle/sign.ts';
import type { NetworkSet, Policy, PolicySet, TierDefinition } from './ir.ts';
import { parseObject } from './kinds/index.ts';
import { buildPolicySet } from './policy-set.ts';

export class StoredObjectInvalidError extends Error {
  readonly code = 'STORED_OBJECT_INVALID';
}

export function policySetFromObjects(objects: readonly unknown[]): PolicySet {
  const policies: Policy[] = [];
  const tiers: TierDefinition[] = [];
  const networkSets: NetworkSet[] = [];
  for (const object of objects) {
    const parsed = parseObject(object);
    if (!parsed.ok) throw new StoredObjectInvalidError(`a stored object no longer validates: ${parsed.issues[0]?.path.join('.')}: ${parsed.issues[0]?.message}`);
    const { resource } = parsed;
    if (resource.type === 'policy') policies.push(resource.policy);
    else if (resource.type === 'tier') tiers.push(resource.tier);
    else networkSets.push(resource.networkSet);
  }
  return buildPolicySet(policies, { tiers, networkSets });
}

/** The content hash the bundle of these stored objects carries. */
export function contentHashOfObjects(objects: readonly unknown[]): string {
  return contentHashOf(policySetFromObjects(objects));
}
