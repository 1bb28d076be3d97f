// A StagedGlobalNetworkPolicy in the IR: the GlobalNetworkPolicy it stages, staged, standing in for
// the enforced GlobalNetworkPolicy of the same name (../calico/staged.ts).
import { LAST_ORDER, type Policy } from '../../ir.ts';
import { selectAll } from '../../selector/build.ts';
import { normaliseCalicoPolicy } from '../calico/normalise-policy.ts';
import { stagedDeletion } from '../calico/staged.ts';
import { globalNetworkPolicyId } from '../calico-globalnetworkpolicy/normalise.ts';
import type { DefaultedStagedGlobalNetworkPolicy } from './defaults.ts';

export function stagedGlobalNetworkPolicyId(name: string): string {
  return `StagedGlobalNetworkPolicy/${name}`;
}

export function normaliseStagedGlobalNetworkPolicy(policy: DefaultedStagedGlobalNetworkPolicy): Policy {
  const { name } = policy.metadata;
  const identity = { kind: 'StagedGlobalNetworkPolicy', id: stagedGlobalNetworkPolicyId(name), namespace: null, name };
  const target = globalNetworkPolicyId(name);
  const { spec } = policy;
  if (spec.stagedAction === 'Delete') {
    return stagedDeletion({ ...identity, order: LAST_ORDER, subject: { namespaceSelector: selectAll(), podSelector: selectAll() } }, spec.tier, target);
  }
  return normaliseCalicoPolicy(spec, { ...identity, staged: true, stagedTarget: target });
}
