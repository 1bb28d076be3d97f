// A StagedKubernetesNetworkPolicy in the IR: the Kubernetes NetworkPolicy it stages (same tier and
// order), staged, standing in for the enforced NetworkPolicy of the same namespace and name.
import { KUBERNETES_POLICY_ORDER, type Policy } from '../../ir.ts';
import { namespaceNamed, selectAll } from '../../selector/build.ts';
import { DEFAULT_TIER } from '../calico/policy-name.ts';
import { stagedDeletion } from '../calico/staged.ts';
import { networkPolicyId, normaliseNetworkPolicy } from '../kubernetes-networkpolicy/normalise.ts';
import { NETWORK_POLICY_API_VERSION, NETWORK_POLICY_KIND } from '../kubernetes-networkpolicy/schema.ts';
import type { DefaultedStagedKubernetesNetworkPolicy } from './defaults.ts';

export function stagedKubernetesNetworkPolicyId(namespace: string, name: string): string {
  return `StagedKubernetesNetworkPolicy/${namespace}/${name}`;
}

export function normaliseStagedKubernetesNetworkPolicy(policy: DefaultedStagedKubernetesNetworkPolicy): Policy {
  const { name, namespace } = policy.metadata;
  const identity = { id: stagedKubernetesNetworkPolicyId(namespace, name), kind: 'StagedKubernetesNetworkPolicy', namespace, name };
  const target = networkPolicyId(namespace, name);
  const { spec } = policy;
  if (spec.stagedAction === 'Delete') {
    return stagedDeletion(
      { ...identity, order: KUBERNETES_POLICY_ORDER, subject: { namespaceSelector: namespaceNamed(namespace), podSelector: selectAll() } },
      DEFAULT_TIER,
      target,
    );
  }
  const { stagedAction: _set, ...enforcedSpec } = spec;
  const enforced = normaliseNetworkPolicy({ apiVersion: NETWORK_POLICY_API_VERSION, kind: NETWORK_POLICY_KIND, metadata: policy.metadata, spec: enforcedSpec });
  return { ...enforced, ...identity, staged: true, stagedTarget: target };
}
