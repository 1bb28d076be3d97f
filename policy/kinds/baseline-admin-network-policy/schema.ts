// policy.networking.k8s.io/v1alpha1 BaselineAdminNetworkPolicy (network-policy-api
// apis/v1alpha1/baselineadminnetworkpolicy_types.go): one per cluster, named "default" (the CRD's
// CEL rule); a subject; up to 100 ingress and 100 egress rules with actions Allow and Deny; egress
// peers without domainNames.
import { z } from 'zod';
import { dns1123SubdomainErrors } from '../../validation/names.ts';
import { POLICY_API_V1ALPHA1 } from '../admin-network-policy/schema.ts';
import { namespacedPodSchema, subjectSchema } from '../network-policy-api/peers.ts';
import { adminEgressRuleSchema, adminIngressRuleSchema, RULES_MAX } from '../network-policy-api/rules-v1alpha1.ts';
import { enumOf } from '../shared/enum.ts';
import { listOf } from '../shared/list.ts';
import { clusterObjectMetaSchema } from '../shared/object-meta.ts';

export const BASELINE_ADMIN_NETWORK_POLICY_KIND = 'BaselineAdminNetworkPolicy';
export const BASELINE_ACTIONS = ['Allow', 'Deny'] as const;
export const BASELINE_POLICY_NAME = 'default';

function baselineNameErrors(name: string): string[] {
  const errors = dns1123SubdomainErrors(name);
  if (errors.length === 0 && name !== BASELINE_POLICY_NAME) {
    errors.push(`must be "${BASELINE_POLICY_NAME}": only one BaselineAdminNetworkPolicy, named "${BASELINE_POLICY_NAME}", can exist in a cluster`);
  }
  return errors;
}

export const baselineAdminNetworkPolicySpecSchema = z.strictObject({
  subject: subjectSchema(namespacedPodSchema),
  ingress: listOf(adminIngressRuleSchema(BASELINE_ACTIONS), RULES_MAX).optional(),
  egress: listOf(adminEgressRuleSchema(BASELINE_ACTIONS, { domainNames: false }), RULES_MAX).optional(),
});

export const baselineAdminNetworkPolicySchema = z.strictObject({
  apiVersion: enumOf([POLICY_API_V1ALPHA1]),
  kind: enumOf([BASELINE_ADMIN_NETWORK_POLICY_KIND]),
  metadata: clusterObjectMetaSchema(baselineNameErrors),
  spec: baselineAdminNetworkPolicySpecSchema,
  status: z.unknown().optional(),
});
export type BaselineAdminNetworkPolicyInput = z.infer<typeof baselineAdminNetworkPolicySchema>;
