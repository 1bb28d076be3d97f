// A cluster's stored objects (policies of every kind, tiers, network sets, bandwidth policies) and the
// tenant's plan limits to the PolicySet its bundle carries. Shared by the bundle builder and anything
// that must predict a bundle's content (the lab), which must pass the same limits.
import { contentHashOf } from './bundle/sign.ts';
import type { BandwidthPolicy, BundleLimits, HostEndpoint, NetworkSet, Policy, PolicySet, TierDefinition } from './ir.ts';
import { type NormalisedResource, parseObject } from './kinds/index.ts';
import { buildPolicySet } from './policy-set.ts';

export class StoredObjectInvalidError extends Error {
  readonly code = 'STORED_OBJECT_INVALID';
}

export interface PolicySetOptions {
  /** The tenant's plan limits (policy/plan/bundle-limits.ts bundleLimitsOf); absent: none embedded. */
  limits?: BundleLimits;
}

/** Normalised objects (parseObject's resources) to the PolicySet, as a bundle carries it. */
export function policySetFromResources(resources: readonly NormalisedResource[], options: PolicySetOptions = {}): PolicySet {
  const policies: Policy[] = [];
  const tiers: TierDefinition[] = [];
  const networkSets: NetworkSet[] = [];
  const bandwidthPolicies: BandwidthPolicy[] = [];
  const hostEndpoints: HostEndpoint[] = [];
  for (const resource of resources) {
    switch (resource.type) {
      case 'policy':
        policies.push(resource.policy);
        break;
      case 'tier':
        tiers.push(resource.tier);
        break;
      case 'networkSet':
        networkSets.push(resource.networkSet);
        break;
      case 'bandwidthPolicy':
        bandwidthPolicies.push(resource.bandwidthPolicy);
        break;
      case 'hostEndpoint':
        hostEndpoints.push(resource.hostEndpoint);
        break;
    }
  }
  return buildPolicySet(policies, { tiers, networkSets, bandwidthPolicies, hostEndpoints, ...(options.limits && { limits: options.limits }) });
}

/** A stored object's manifest, parsed again: for objects whose normalised form was not kept. */
export function resourceOfStoredObject(object: unknown): NormalisedResource {
  const parsed = parseObject(object);
  if (!parsed.ok) throw new StoredObjectInvalidError(`a stored object no longer validates: ${parsed.issues[0]?.path.join('.')}: ${parsed.issues[0]?.message}`);
  return parsed.resource;
}

export function policySetFromObjects(objects: readonly unknown[], options: PolicySetOptions = {}): PolicySet {
  return policySetFromResources(objects.map(resourceOfStoredObject), options);
}

/** The content hash the bundle of these stored objects (and these limits) carries. */
export function contentHashOfObjects(objects: readonly unknown[], options: PolicySetOptions = {}): string {
  return contentHashOf(policySetFromObjects(objects, options));
}
