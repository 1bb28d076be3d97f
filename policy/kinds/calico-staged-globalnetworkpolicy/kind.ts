import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { ruleNetWarnings } from '../calico/nets.ts';
import { definePolicyKind } from '../define.ts';
import { applyStagedGlobalNetworkPolicyDefaults } from './defaults.ts';
import { normaliseStagedGlobalNetworkPolicy } from './normalise.ts';
import { STAGED_GLOBAL_NETWORK_POLICY_KIND, stagedGlobalNetworkPolicySchema } from './schema.ts';

export const stagedGlobalNetworkPolicyKind = definePolicyKind({
  apiVersion: CALICO_API_VERSION,
  kind: STAGED_GLOBAL_NETWORK_POLICY_KIND,
  schema: stagedGlobalNetworkPolicySchema,
  toStored: applyStagedGlobalNetworkPolicyDefaults,
  normalise: normaliseStagedGlobalNetworkPolicy,
  warnings: (policy) => ruleNetWarnings(policy.spec),
});
