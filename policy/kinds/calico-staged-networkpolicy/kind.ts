import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { ruleNetWarnings } from '../calico/nets.ts';
import { definePolicyKind } from '../define.ts';
import { applyStagedNetworkPolicyDefaults } from './defaults.ts';
import { normaliseStagedNetworkPolicy } from './normalise.ts';
import { STAGED_NETWORK_POLICY_KIND, stagedNetworkPolicySchema } from './schema.ts';

export const stagedNetworkPolicyKind = definePolicyKind({
  apiVersion: CALICO_API_VERSION,
  kind: STAGED_NETWORK_POLICY_KIND,
  schema: stagedNetworkPolicySchema,
  toStored: applyStagedNetworkPolicyDefaults,
  normalise: normaliseStagedNetworkPolicy,
  warnings: (policy) => ruleNetWarnings(policy.spec),
});
