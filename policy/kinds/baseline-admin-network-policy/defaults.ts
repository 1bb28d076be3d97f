// The GET form of a BaselineAdminNetworkPolicy: port protocols defaulted to TCP, empty lists left out.

import { POLICY_API_V1ALPHA1 } from '../admin-network-policy/schema.ts';
import { type StoredAdminRule, type StoredSubject, storedAdminRule, storedSubject } from '../network-policy-api/stored.ts';
import { type StoredClusterObjectMeta, toStoredClusterObjectMeta } from '../shared/object-meta.ts';
import { BASELINE_ADMIN_NETWORK_POLICY_KIND, type BaselineAdminNetworkPolicyInput } from './schema.ts';

export interface DefaultedBaselineAdminNetworkPolicy {
  apiVersion: typeof POLICY_API_V1ALPHA1;
  kind: typeof BASELINE_ADMIN_NETWORK_POLICY_KIND;
  metadata: StoredClusterObjectMeta;
  spec: { subject: StoredSubject; ingress?: StoredAdminRule<'Allow' | 'Deny'>[]; egress?: StoredAdminRule<'Allow' | 'Deny'>[] };
}

export function applyBaselineAdminNetworkPolicyDefaults(policy: BaselineAdminNetworkPolicyInput): DefaultedBaselineAdminNetworkPolicy {
  const { spec } = policy;
  return {
    apiVersion: POLICY_API_V1ALPHA1,
    kind: BASELINE_ADMIN_NETWORK_POLICY_KIND,
    metadata: toStoredClusterObjectMeta(policy.metadata),
    spec: {
      subject: storedSubject(spec.subject),
      ...(spec.ingress && spec.ingress.length > 0 && { ingress: spec.ingress.map((rule) => storedAdminRule(rule, { from: rule.from })) }),
      ...(spec.egress && spec.egress.length > 0 && { egress: spec.egress.map((rule) => storedAdminRule(rule, { to: rule.to })) }),
    },
  };
}
