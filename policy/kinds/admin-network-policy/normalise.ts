// An AdminNetworkPolicy in the IR (DESIGN.md "Policy semantics", network-policy-api v1alpha1):
// - in the adminnetworkpolicy tier (order 1,000, default Pass) at policy order = priority;
// - subject: the pods of the selected namespaces, or the selected pods of the selected namespaces;
// - a direction is governed only when it has rules ("ANPs with no ingress rules do not affect
//   ingress traffic"); rules keep their order, first match decides; Pass goes on to the next tier;
// - peers are pods only (no network sets), `networks` are IP blocks without holes, `nodes` are
//   carried as Rule.nodes; absent ports match every port.
import type { Policy } from '../../ir.ts';
import { endpointsOf } from '../network-policy-api/peers.ts';
import { adminRuleToIr } from '../network-policy-api/rules-v1alpha1.ts';
import type { DefaultedAdminNetworkPolicy } from './defaults.ts';

export const ADMIN_TIER = 'adminnetworkpolicy';

export function adminNetworkPolicyId(name: string): string {
  return `AdminNetworkPolicy/${name}`;
}

export function normaliseAdminNetworkPolicy(policy: DefaultedAdminNetworkPolicy): Policy {
  const { name } = policy.metadata;
  const ingress = (policy.spec.ingress ?? []).map((rule) => adminRuleToIr(rule, rule.from ?? []));
  const egress = (policy.spec.egress ?? []).map((rule) => adminRuleToIr(rule, rule.to ?? []));
  return {
    id: adminNetworkPolicyId(name),
    kind: 'AdminNetworkPolicy',
    namespace: null,
    name,
    order: policy.spec.priority,
    staged: false,
    tier: ADMIN_TIER,
    subject: endpointsOf(policy.spec.subject),
    directions: [...(ingress.length > 0 ? (['ingress'] as const) : []), ...(egress.length > 0 ? (['egress'] as const) : [])],
    ingress,
    egress,
  };
}
