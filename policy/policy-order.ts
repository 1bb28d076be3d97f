// The order of policies inside a tier, as Felix evaluates them (felix/calc/policy_sorter.go,
// PolKVLess): ascending `order`, a policy without one at +infinity (the IR's LAST_ORDER, so every
// policy that leaves it out ties with the others that do), and ties broken by the policy key's name
// compared as bytes, across kinds. That name is the one Calico's datastore model gives the policy:
// - a namespaced policy's carries its namespace: `<namespace>/<name>`;
// - Calico policies are tiered (`<tier>.<name>`; a default-tier name written bare gains `default.`);
// - Kubernetes NetworkPolicies become `knp.default.<name>`, AdminNetworkPolicies
//   `kanp.adminnetworkpolicy.<name>`, BaselineAdminNetworkPolicies
//   `kbanp.baselineadminnetworkpolicy.<name>`;
// - staged kinds carry `staged:` before the name (after the namespace).
// So a GlobalNetworkPolicy `sec.p1` goes before a NetworkPolicy `z/sec.p2` of the same order, as in
// Calico. ClusterNetworkPolicy has no Calico counterpart: it sorts as its network-policy-api
// sibling of the same tier would. The IR id breaks what is still tied, so the order never depends on
// input order.
import type { Policy } from './ir.ts';
import { tierNameOf } from './tiers.ts';

function tiered(policy: Pick<Policy, 'name' | 'tier'>): string {
  const tier = tierNameOf(policy);
  return policy.name.startsWith(`${tier}.`) ? policy.name : `${tier}.${policy.name}`;
}

/** The name of the policy's key in Calico's datastore model, which Felix breaks order ties by. */
export function calicoPolicyKeyName(policy: Pick<Policy, 'kind' | 'namespace' | 'name' | 'tier'>): string {
  const inNamespace = (name: string) => (policy.namespace === null ? name : `${policy.namespace}/${name}`);
  switch (policy.kind) {
    case 'NetworkPolicy':
      return inNamespace(`knp.default.${policy.name}`);
    case 'CalicoNetworkPolicy': // projectcalico.org/v3 NetworkPolicy's IR kind
      return inNamespace(tiered(policy));
    case 'StagedKubernetesNetworkPolicy':
      return inNamespace(`staged:knp.default.${policy.name}`);
    case 'StagedNetworkPolicy':
    case 'StagedGlobalNetworkPolicy':
      return inNamespace(`staged:${tiered(policy)}`);
    case 'GlobalNetworkPolicy':
      return tiered(policy);
    case 'AdminNetworkPolicy':
      return `kanp.adminnetworkpolicy.${policy.name}`;
    case 'BaselineAdminNetworkPolicy':
      return `kbanp.baselineadminnetworkpolicy.${policy.name}`;
    case 'ClusterNetworkPolicy':
      return tierNameOf(policy) === 'baselineadminnetworkpolicy' ? `kbanp.baselineadminnetworkpolicy.${policy.name}` : `kanp.adminnetworkpolicy.${policy.name}`;
    default:
      return inNamespace(policy.name);
  }
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Felix's PolKVLess as a comparator, then the IR id. */
export function comparePolicies(a: Policy, b: Policy): number {
  if (a.order !== b.order) return a.order < b.order ? -1 : 1;
  return compareBytes(calicoPolicyKeyName(a), calicoPolicyKeyName(b)) || compareBytes(a.id, b.id);
}
