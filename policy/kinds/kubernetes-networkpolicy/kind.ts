import { definePolicyKind } from '../define.ts';
import { applyNetworkPolicyDefaults } from './defaults.ts';
import { normaliseNetworkPolicy } from './normalise.ts';
import { NETWORK_POLICY_API_VERSION, NETWORK_POLICY_KIND, networkPolicySchema } from './schema.ts';

export const networkPolicyKind = definePolicyKind({
  apiVersion: NETWORK_POLICY_API_VERSION,
  kind: NETWORK_POLICY_KIND,
  schema: networkPolicySchema,
  toStored: applyNetworkPolicyDefaults,
  normalise: normaliseNetworkPolicy,
});
