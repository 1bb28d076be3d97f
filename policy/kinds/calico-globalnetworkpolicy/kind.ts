import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { ruleNetWarnings } from '../calico/nets.ts';
import { definePolicyKind } from '../define.ts';
import { applyGlobalNetworkPolicyDefaults } from './defaults.ts';
import { normaliseGlobalNetworkPolicy } from './normalise.ts';
import { GLOBAL_NETWORK_POLICY_KIND, globalNetworkPolicySchema } from './schema.ts';

export const globalNetworkPolicyKind = definePolicyKind({
  apiVersion: CALICO_API_VERSION,
  kind: GLOBAL_NETWORK_POLICY_KIND,
  schema: globalNetworkPolicySchema,
  toStored: applyGlobalNetworkPolicyDefaults,
  normalise: normaliseGlobalNetworkPolicy,
  warnings: (policy) => ruleNetWarnings(policy.spec),
});
