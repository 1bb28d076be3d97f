// A StagedNetworkPolicy in the IR: the Calico NetworkPolicy it stages, staged, standing in for the
// enforced CalicoNetworkPolicy of the same namespace and name (../calico/staged.ts).
import { LAST_ORDER, type Policy } from '../../ir.ts';
import { namespaceNamed, selectAll } from '../../selector/build.ts';
import { normaliseCalicoPolicy } from '../calico/normalise-policy.ts';
import { stagedDeletion } from '../calico/staged.ts';
import { calicoNetworkPolicyId } from '../calico-networkpolicy/normalise.ts';
import type { DefaultedStagedNetworkPolicy } from './defaults.ts';

export function stagedNetworkPolicyId(namespace: string, name: string): string {
  return `StagedNetworkPolicy/${namespace}/${name}`;
}

export function normaliseStagedNetworkPolicy(policy: DefaultedStagedNetworkPolicy): Policy {
  const { name, namespace } = policy.metadata;
  const identity = { kind: 'StagedNetworkPolicy', id: stagedNetworkPolicyId(namespace, name), namespace, name };
  const target = calicoNetworkPolicyId(namespace, name);
  const { spec } = policy;
  if (spec.stagedAction === 'Delete') {
    const subject = { namespaceSelector: namespaceNamed(namespace), podSelector: selectAll() };
    return stagedDeletion({ ...identity, order: LAST_ORDER, subject }, spec.tier, target);
  }
  return normaliseCalicoPolicy(spec, { ...identity, staged: true, stagedTarget: target });
}
