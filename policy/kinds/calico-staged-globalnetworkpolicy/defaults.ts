// The GET form of a StagedGlobalNetworkPolicy: stagedAction defaulted to Set; a Delete keeps only its tier.

import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { type StoredGlobalNetworkPolicySpec, storedGlobalPolicySpec } from '../calico-globalnetworkpolicy/defaults.ts';
import { type StoredStagedSpec, storedStagedSpec } from '../calico-staged-networkpolicy/defaults.ts';
import { type StoredClusterObjectMeta, toStoredClusterObjectMeta } from '../shared/object-meta.ts';
import { STAGED_GLOBAL_NETWORK_POLICY_KIND, type StagedGlobalNetworkPolicyInput } from './schema.ts';

export interface DefaultedStagedGlobalNetworkPolicy {
  apiVersion: typeof CALICO_API_VERSION;
  kind: typeof STAGED_GLOBAL_NETWORK_POLICY_KIND;
  metadata: StoredClusterObjectMeta;
  spec: StoredStagedSpec<StoredGlobalNetworkPolicySpec>;
}

export function applyStagedGlobalNetworkPolicyDefaults(policy: StagedGlobalNetworkPolicyInput): DefaultedStagedGlobalNetworkPolicy {
  return {
    apiVersion: CALICO_API_VERSION,
    kind: STAGED_GLOBAL_NETWORK_POLICY_KIND,
    metadata: toStoredClusterObjectMeta(policy.metadata),
    spec: storedStagedSpec(policy.spec ?? {}, storedGlobalPolicySpec),
  };
}
