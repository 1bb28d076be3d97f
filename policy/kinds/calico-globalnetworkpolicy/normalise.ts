// A GlobalNetworkPolicy in the IR (../calico/normalise-policy.ts): cluster-scoped, so its rules'
// selectors reach every namespace and global network sets unless a namespaceSelector narrows them.
import type { Policy } from '../../ir.ts';
import { normaliseCalicoPolicy } from '../calico/normalise-policy.ts';
import type { DefaultedGlobalNetworkPolicy } from './defaults.ts';

export function globalNetworkPolicyId(name: string): string {
  return `GlobalNetworkPolicy/${name}`;
}

export function normaliseGlobalNetworkPolicy(policy: DefaultedGlobalNetworkPolicy): Policy {
  const { name } = policy.metadata;
  return normaliseCalicoPolicy(policy.spec, { kind: 'GlobalNetworkPolicy', id: globalNetworkPolicyId(name), namespace: null, name, staged: false });
}
