// A BaselineAdminNetworkPolicy in the IR: in the baselineadminnetworkpolicy tier (order 10,000,000,
// default Pass), evaluated after NetworkPolicy; otherwise as an AdminNetworkPolicy
// (../admin-network-policy/normalise.ts). It has no priority; there is only one, so it sits at
// BASELINE_POLICY_ORDER, the lowest precedence a ClusterNetworkPolicy priority can express, and ties
// with ClusterNetworkPolicies of the Baseline tier are broken by id.
import type { Policy } from '../../ir.ts';
import { endpointsOf } from '../network-policy-api/peers.ts';
import { adminRuleToIr } from '../network-policy-api/rules-v1alpha1.ts';
import type { DefaultedBaselineAdminNetworkPolicy } from './defaults.ts';

export const BASELINE_TIER = 'baselineadminnetworkpolicy';
export const BASELINE_POLICY_ORDER = 1000;

export function normaliseBaselineAdminNetworkPolicy(policy: DefaultedBaselineAdminNetworkPolicy): Policy {
  const { name } = policy.metadata;
  const ingress = (policy.spec.ingress ?? []).map((rule) => adminRuleToIr(rule, rule.from ?? []));
  const egress = (policy.spec.egress ?? []).map((rule) => adminRuleToIr(rule, rule.to ?? []));
  return {
    id: `BaselineAdminNetworkPolicy/${name}`,
    kind: 'BaselineAdminNetworkPolicy',
    namespace: null,
    name,
    order: BASELINE_POLICY_ORDER,
    staged: false,
    tier: BASELINE_TIER,
    subject: endpointsOf(policy.spec.subject),
    directions: [...(ingress.length > 0 ? (['ingress'] as const) : []), ...(egress.length > 0 ? (['egress'] as const) : [])],
    ingress,
    egress,
  };
}
