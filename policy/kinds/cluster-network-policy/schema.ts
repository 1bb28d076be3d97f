// policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy (network-policy-api
// apis/v1alpha2/clusternetworkpolicy_types.go): cluster-scoped; `tier` Admin or Baseline;
// `priority` 0-1000; a subject; up to 25 ingress and 25 egress rules, each with a name, an action
// (Accept, Deny, Pass), 1-25 peers and optionally 1-25 `protocols`.
import { z } from 'zod';
import { dns1123SubdomainErrors } from '../../validation/names.ts';
import { checkNamedPortsWithPeers, egressPeerSchema, ingressPeerSchema, namespacedPodV1alpha2Schema, subjectSchema } from '../network-policy-api/peers.ts';
import { cnpProtocolSchema } from '../network-policy-api/protocols-v1alpha2.ts';
import { ruleNameSchema } from '../network-policy-api/rules-v1alpha1.ts';
import { enumOf } from '../shared/enum.ts';
import { listOf, nonEmptyListOf } from '../shared/list.ts';
import { intBetween } from '../shared/numbers.ts';
import { clusterObjectMetaSchema } from '../shared/object-meta.ts';

export const POLICY_API_V1ALPHA2 = 'policy.networking.k8s.io/v1alpha2';
export const CLUSTER_NETWORK_POLICY_KIND = 'ClusterNetworkPolicy';
export const CNP_TIERS = ['Admin', 'Baseline'] as const;
export const CNP_ACTIONS = ['Accept', 'Deny', 'Pass'] as const;
export const CNP_RULES_MAX = 25;

const ingressRuleSchema = z.strictObject({
  name: ruleNameSchema.optional(),
  action: enumOf(CNP_ACTIONS),
  from: nonEmptyListOf(ingressPeerSchema(namespacedPodV1alpha2Schema), CNP_RULES_MAX),
  protocols: nonEmptyListOf(cnpProtocolSchema, CNP_RULES_MAX).optional(),
});

const egressRuleSchema = z
  .strictObject({
    name: ruleNameSchema.optional(),
    action: enumOf(CNP_ACTIONS),
    to: nonEmptyListOf(egressPeerSchema(namespacedPodV1alpha2Schema, { domainNames: true }), CNP_RULES_MAX),
    protocols: nonEmptyListOf(cnpProtocolSchema, CNP_RULES_MAX).optional(),
  })
  .superRefine((rule, ctx) => {
    const hasNamedPort = (rule.protocols ?? []).some((protocol) => protocol.destinationNamedPort !== undefined);
    checkNamedPortsWithPeers(rule.to as Record<string, unknown>[], hasNamedPort, ['protocols'], ctx);
  });

export const clusterNetworkPolicySpecSchema = z.strictObject({
  tier: enumOf(CNP_TIERS),
  priority: intBetween(0, 1000),
  subject: subjectSchema(namespacedPodV1alpha2Schema),
  ingress: listOf(ingressRuleSchema, CNP_RULES_MAX).optional(),
  egress: listOf(egressRuleSchema, CNP_RULES_MAX).optional(),
});

export const clusterNetworkPolicySchema = z.strictObject({
  apiVersion: enumOf([POLICY_API_V1ALPHA2]),
  kind: enumOf([CLUSTER_NETWORK_POLICY_KIND]),
  metadata: clusterObjectMetaSchema(dns1123SubdomainErrors),
  spec: clusterNetworkPolicySpecSchema,
  status: z.unknown().optional(),
});
export type ClusterNetworkPolicyInput = z.infer<typeof clusterNetworkPolicySchema>;
