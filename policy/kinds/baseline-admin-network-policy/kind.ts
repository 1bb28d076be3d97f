import { POLICY_API_V1ALPHA1 } from '../admin-network-policy/schema.ts';
import { definePolicyKind } from '../define.ts';
import { applyBaselineAdminNetworkPolicyDefaults } from './defaults.ts';
import { normaliseBaselineAdminNetworkPolicy } from './normalise.ts';
import { BASELINE_ADMIN_NETWORK_POLICY_KIND, baselineAdminNetworkPolicySchema } from './schema.ts';

export const baselineAdminNetworkPolicyKind = definePolicyKind({
  apiVersion: POLICY_API_V1ALPHA1,
  kind: BASELINE_ADMIN_NETWORK_POLICY_KIND,
  schema: baselineAdminNetworkPolicySchema,
  toStored: applyBaselineAdminNetworkPolicyDefaults,
  normalise: normaliseBaselineAdminNetworkPolicy,
});
