// The GET form of a GlobalNetworkPolicy: the shared Calico defaults, plus its own fields as written
// (the host endpoint flags only when true, as Go's omitempty drops false).

import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { type StoredCalicoPolicySpec, storedCalicoPolicySpec } from '../calico/stored.ts';
import { type StoredClusterObjectMeta, toStoredClusterObjectMeta } from '../shared/object-meta.ts';
import { GLOBAL_NETWORK_POLICY_KIND, type GlobalNetworkPolicyInput, type GlobalNetworkPolicySpec } from './schema.ts';

export interface StoredGlobalNetworkPolicySpec extends StoredCalicoPolicySpec {
  namespaceSelector?: string;
  doNotTrack?: true;
  preDNAT?: true;
  applyOnForward?: true;
}

export interface DefaultedGlobalNetworkPolicy {
  apiVersion: typeof CALICO_API_VERSION;
  kind: typeof GLOBAL_NETWORK_POLICY_KIND;
  metadata: StoredClusterObjectMeta;
  spec: StoredGlobalNetworkPolicySpec;
}

export function storedGlobalPolicySpec(spec: GlobalNetworkPolicySpec): StoredGlobalNetworkPolicySpec {
  return {
    ...storedCalicoPolicySpec(spec),
    ...(spec.namespaceSelector && { namespaceSelector: spec.namespaceSelector }),
    ...(spec.doNotTrack && { doNotTrack: true as const }),
    ...(spec.preDNAT && { preDNAT: true as const }),
    ...(spec.applyOnForward && { applyOnForward: true as const }),
  };
}

export function applyGlobalNetworkPolicyDefaults(policy: GlobalNetworkPolicyInput): DefaultedGlobalNetworkPolicy {
  return {
    apiVersion: CALICO_API_VERSION,
    kind: GLOBAL_NETWORK_POLICY_KIND,
    metadata: toStoredClusterObjectMeta(policy.metadata),
    spec: storedGlobalPolicySpec(policy.spec ?? {}),
  };
}
