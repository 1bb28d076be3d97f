// A Calico NetworkPolicy in the IR (../calico/normalise-policy.ts). Its IR kind is
// "CalicoNetworkPolicy", the name Calico's flow logs use, so it never collides with a Kubernetes
// NetworkPolicy of the same namespace and name.
import type { Policy } from '../../ir.ts';
import { normaliseCalicoPolicy } from '../calico/normalise-policy.ts';
import type { DefaultedCalicoNetworkPolicy } from './defaults.ts';

export const CALICO_NETWORK_POLICY_IR_KIND = 'CalicoNetworkPolicy';

export function calicoNetworkPolicyId(namespace: string, name: string): string {
  return `${CALICO_NETWORK_POLICY_IR_KIND}/${namespace}/${name}`;
}

export function normaliseCalicoNetworkPolicy(policy: DefaultedCalicoNetworkPolicy): Policy {
  const { name, namespace } = policy.metadata;
  return normaliseCalicoPolicy(policy.spec, {
    kind: CALICO_NETWORK_POLICY_IR_KIND,
    id: calicoNetworkPolicyId(namespace, name),
    namespace,
    name,
    staged: false,
  });
}
