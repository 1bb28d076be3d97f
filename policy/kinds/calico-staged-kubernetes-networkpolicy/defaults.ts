// The GET form of a StagedKubernetesNetworkPolicy: the NetworkPolicy defaults (policyTypes, port
// protocols) of ../kubernetes-networkpolicy/defaults.ts, stagedAction defaulted to Set.

import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { applyNetworkPolicyDefaults, type DefaultedNetworkPolicy } from '../kubernetes-networkpolicy/defaults.ts';
import { NETWORK_POLICY_API_VERSION, NETWORK_POLICY_KIND } from '../kubernetes-networkpolicy/schema.ts';
import { type StoredObjectMeta, toStoredObjectMeta } from '../shared/object-meta.ts';
import { STAGED_KUBERNETES_NETWORK_POLICY_KIND, type StagedKubernetesNetworkPolicyInput } from './schema.ts';

export type StoredStagedKubernetesSpec = (DefaultedNetworkPolicy['spec'] & { stagedAction: 'Set' }) | { stagedAction: 'Delete' };

export interface DefaultedStagedKubernetesNetworkPolicy {
  apiVersion: typeof CALICO_API_VERSION;
  kind: typeof STAGED_KUBERNETES_NETWORK_POLICY_KIND;
  metadata: StoredObjectMeta;
  spec: StoredStagedKubernetesSpec;
}

export function applyStagedKubernetesNetworkPolicyDefaults(policy: StagedKubernetesNetworkPolicyInput): DefaultedStagedKubernetesNetworkPolicy {
  const { stagedAction, podSelector, ...rest } = policy.spec;
  const base = { apiVersion: CALICO_API_VERSION, kind: STAGED_KUBERNETES_NETWORK_POLICY_KIND, metadata: toStoredObjectMeta(policy.metadata) } as const;
  if (stagedAction === 'Delete') return { ...base, spec: { stagedAction: 'Delete' } };
  const asEnforced = applyNetworkPolicyDefaults({
    apiVersion: NETWORK_POLICY_API_VERSION,
    kind: NETWORK_POLICY_KIND,
    metadata: policy.metadata,
    spec: { ...rest, podSelector: podSelector ?? {} },
  });
  return { ...base, spec: { ...asEnforced.spec, stagedAction: 'Set' } };
}
