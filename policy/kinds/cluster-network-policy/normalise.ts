// A ClusterNetworkPolicy in the IR (DESIGN.md "Policy semantics"): tier Admin goes to the
// adminnetworkpolicy tier, Baseline to baselineadminnetworkpolicy, each at policy order = priority,
// alongside AdminNetworkPolicy / BaselineAdminNetworkPolicy. Accept is the IR's Allow (a final
// decision); Deny and Pass as in the IR. Otherwise as an AdminNetworkPolicy: governed directions are
// those with rules, peers are pods, networks and nodes; absent protocols match all traffic.
import type { Policy, Rule } from '../../ir.ts';
import { ADMIN_TIER } from '../admin-network-policy/normalise.ts';
import { BASELINE_TIER } from '../baseline-admin-network-policy/normalise.ts';
import { endpointsOf, peersOf } from '../network-policy-api/peers.ts';
import { cnpPortMatches } from '../network-policy-api/protocols-v1alpha2.ts';
import type { DefaultedClusterNetworkPolicy, StoredCnpRule } from './defaults.ts';

function ruleToIr(rule: StoredCnpRule): Rule {
  const resolved = peersOf(rule.from ?? rule.to ?? []);
  const ir: Rule = {
    action: rule.action === 'Accept' ? 'Allow' : rule.action,
    ports: (rule.protocols ?? []).flatMap(cnpPortMatches),
    peers: resolved.peers,
  };
  if (rule.name) ir.name = rule.name;
  if (resolved.nodes.length > 0) ir.nodes = resolved.nodes;
  return ir;
}

export function normaliseClusterNetworkPolicy(policy: DefaultedClusterNetworkPolicy): Policy {
  const { name } = policy.metadata;
  const ingress = (policy.spec.ingress ?? []).map(ruleToIr);
  const egress = (policy.spec.egress ?? []).map(ruleToIr);
  return {
    id: `ClusterNetworkPolicy/${name}`,
    kind: 'ClusterNetworkPolicy',
    namespace: null,
    name,
    order: policy.spec.priority,
    staged: false,
    tier: policy.spec.tier === 'Admin' ? ADMIN_TIER : BASELINE_TIER,
    subject: endpointsOf(policy.spec.subject),
    directions: [...(ingress.length > 0 ? (['ingress'] as const) : []), ...(egress.length > 0 ? (['egress'] as const) : [])],
    ingress,
    egress,
  };
}
