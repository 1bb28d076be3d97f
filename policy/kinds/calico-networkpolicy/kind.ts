import { ruleNetWarnings } from '../calico/nets.ts';
import { definePolicyKind } from '../define.ts';
import { applyCalicoNetworkPolicyDefaults } from './defaults.ts';
import { normaliseCalicoNetworkPolicy } from './normalise.ts';
import { CALICO_API_VERSION, CALICO_NETWORK_POLICY_KIND, calicoNetworkPolicySchema } from './schema.ts';

export const calicoNetworkPolicyKind = definePolicyKind({
  apiVersion: CALICO_API_VERSION,
  kind: CALICO_NETWORK_POLICY_KIND,
  schema: calicoNetworkPolicySchema,
  toStored: applyCalicoNetworkPolicyDefaults,
  normalise: normaliseCalicoNetworkPolicy,
  warnings: (policy) => ruleNetWarnings(policy.spec),
});
