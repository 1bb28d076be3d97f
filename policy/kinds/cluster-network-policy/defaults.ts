// The GET form of a ClusterNetworkPolicy: selectors in stored form, empty lists left out.

import type { CnpProtocol } from '../network-policy-api/protocols-v1alpha2.ts';
import { type StoredPeer, type StoredSubject, storedPeer, storedSubject } from '../network-policy-api/stored.ts';
import { type StoredClusterObjectMeta, toStoredClusterObjectMeta } from '../shared/object-meta.ts';
import { CLUSTER_NETWORK_POLICY_KIND, type ClusterNetworkPolicyInput, POLICY_API_V1ALPHA2 } from './schema.ts';

type CnpAction = 'Accept' | 'Deny' | 'Pass';

export interface StoredCnpRule {
  name?: string;
  action: CnpAction;
  from?: StoredPeer[];
  to?: StoredPeer[];
  protocols?: CnpProtocol[];
}

export interface DefaultedClusterNetworkPolicy {
  apiVersion: typeof POLICY_API_V1ALPHA2;
  kind: typeof CLUSTER_NETWORK_POLICY_KIND;
  metadata: StoredClusterObjectMeta;
  spec: { tier: 'Admin' | 'Baseline'; priority: number; subject: StoredSubject; ingress?: StoredCnpRule[]; egress?: StoredCnpRule[] };
}

type RuleInput = NonNullable<ClusterNetworkPolicyInput['spec']['ingress']>[number] | NonNullable<ClusterNetworkPolicyInput['spec']['egress']>[number];

function storedRule(rule: RuleInput): StoredCnpRule {
  return {
    ...(rule.name && { name: rule.name }),
    action: rule.action,
    ...('from' in rule ? { from: rule.from.map(storedPeer) } : { to: rule.to.map(storedPeer) }),
    ...(rule.protocols && { protocols: structuredClone(rule.protocols) }),
  };
}

export function applyClusterNetworkPolicyDefaults(policy: ClusterNetworkPolicyInput): DefaultedClusterNetworkPolicy {
  const { spec } = policy;
  return {
    apiVersion: POLICY_API_V1ALPHA2,
    kind: CLUSTER_NETWORK_POLICY_KIND,
    metadata: toStoredClusterObjectMeta(policy.metadata),
    spec: {
      tier: spec.tier,
      priority: spec.priority,
      subject: storedSubject(spec.subject),
      ...(spec.ingress && spec.ingress.length > 0 && { ingress: spec.ingress.map(storedRule) }),
      ...(spec.egress && spec.egress.length > 0 && { egress: spec.egress.map(storedRule) }),
    },
  };
}
