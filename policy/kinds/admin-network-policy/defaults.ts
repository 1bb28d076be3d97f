// The GET form of an AdminNetworkPolicy: port protocols defaulted to TCP, empty lists left out.

import { type StoredAdminRule, type StoredSubject, storedAdminRule, storedSubject } from '../network-policy-api/stored.ts';
import { type StoredClusterObjectMeta, toStoredClusterObjectMeta } from '../shared/object-meta.ts';
import { ADMIN_NETWORK_POLICY_KIND, type AdminNetworkPolicyInput, POLICY_API_V1ALPHA1 } from './schema.ts';

export type AdminAction = 'Allow' | 'Deny' | 'Pass';

export interface DefaultedAdminNetworkPolicy {
  apiVersion: typeof POLICY_API_V1ALPHA1;
  kind: typeof ADMIN_NETWORK_POLICY_KIND;
  metadata: StoredClusterObjectMeta;
  spec: { priority: number; subject: StoredSubject; ingress?: StoredAdminRule<AdminAction>[]; egress?: StoredAdminRule<AdminAction>[] };
}

export function applyAdminNetworkPolicyDefaults(policy: AdminNetworkPolicyInput): DefaultedAdminNetworkPolicy {
  const { spec } = policy;
  return {
    apiVersion: POLICY_API_V1ALPHA1,
    kind: ADMIN_NETWORK_POLICY_KIND,
    metadata: toStoredClusterObjectMeta(policy.metadata),
    spec: {
      priority: spec.priority,
      subject: storedSubject(spec.subject),
      ...(spec.ingress && spec.ingress.length > 0 && { ingress: spec.ingress.map((rule) => storedAdminRule(rule, { from: rule.from })) }),
      ...(spec.egress && spec.egress.length > 0 && { egress: spec.egress.map((rule) => storedAdminRule(rule, { to: rule.to })) }),
    },
  };
}
