// policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy (sigs.k8s.io/network-policy-api
// apis/v1alpha1/adminnetworkpolicy_types.go): cluster-scoped; `priority` 0-1000 (lower first);
// a subject (namespaces or pods); up to 100 ingress and 100 egress rules with actions Allow, Deny
// and Pass. A `status` in pasted `kubectl get` output is accepted and dropped.
import { z } from 'zod';
import { dns1123SubdomainErrors } from '../../validation/names.ts';
import { namespacedPodSchema, subjectSchema } from '../network-policy-api/peers.ts';
import { adminEgressRuleSchema, adminIngressRuleSchema, RULES_MAX } from '../network-policy-api/rules-v1alpha1.ts';
import { enumOf } from '../shared/enum.ts';
import { listOf } from '../shared/list.ts';
import { intBetween } from '../shared/numbers.ts';
import { clusterObjectMetaSchema } from '../shared/object-meta.ts';

export const POLICY_API_V1ALPHA1 = 'policy.networking.k8s.io/v1alpha1';
export const ADMIN_NETWORK_POLICY_KIND = 'AdminNetworkPolicy';
export const ADMIN_ACTIONS = ['Allow', 'Deny', 'Pass'] as const;
export const PRIORITY_MAX = 1000;

export const adminNetworkPolicySpecSchema = z.strictObject({
  priority: intBetween(0, PRIORITY_MAX),
  subject: subjectSchema(namespacedPodSchema),
  ingress: listOf(adminIngressRuleSchema(ADMIN_ACTIONS), RULES_MAX).optional(),
  egress: listOf(adminEgressRuleSchema(ADMIN_ACTIONS, { domainNames: true }), RULES_MAX).optional(),
});

export const adminNetworkPolicySchema = z.strictObject({
  apiVersion: enumOf([POLICY_API_V1ALPHA1]),
  kind: enumOf([ADMIN_NETWORK_POLICY_KIND]),
  metadata: clusterObjectMetaSchema(dns1123SubdomainErrors),
  spec: adminNetworkPolicySpecSchema,
  status: z.unknown().optional(),
});
export type AdminNetworkPolicyInput = z.infer<typeof adminNetworkPolicySchema>;
