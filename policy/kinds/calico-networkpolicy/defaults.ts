// The GET form of a Calico NetworkPolicy: `tier` and `types` defaulted as Calico's API server does
// (../calico/stored.ts), empty fields left out.

import { type StoredCalicoPolicySpec, storedCalicoPolicySpec } from '../calico/stored.ts';
import { type StoredObjectMeta, toStoredObjectMeta } from '../shared/object-meta.ts';
import { CALICO_API_VERSION, CALICO_NETWORK_POLICY_KIND, type CalicoNetworkPolicyInput } from './schema.ts';

export interface DefaultedCalicoNetworkPolicy {
  apiVersion: typeof CALICO_API_VERSION;
  kind: typeof CALICO_NETWORK_POLICY_KIND;
  metadata: StoredObjectMeta;
  spec: StoredCalicoPolicySpec;
}

export function applyCalicoNetworkPolicyDefaults(policy: CalicoNetworkPolicyInput): DefaultedCalicoNetworkPolicy {
  return {
    apiVersion: CALICO_API_VERSION,
    kind: CALICO_NETWORK_POLICY_KIND,
    metadata: toStoredObjectMeta(policy.metadata),
    spec: storedCalicoPolicySpec(policy.spec ?? {}),
  };
}
