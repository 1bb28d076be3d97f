import { definePolicyKind } from '../define.ts';
import { applyAdminNetworkPolicyDefaults } from './defaults.ts';
import { normaliseAdminNetworkPolicy } from './normalise.ts';
import { ADMIN_NETWORK_POLICY_KIND, adminNetworkPolicySchema, POLICY_API_V1ALPHA1 } from './schema.ts';

export const adminNetworkPolicyKind = definePolicyKind({
  apiVersion: POLICY_API_V1ALPHA1,
  kind: ADMIN_NETWORK_POLICY_KIND,
  schema: adminNetworkPolicySchema,
  toStored: applyAdminNetworkPolicyDefaults,
  normalise: normaliseAdminNetworkPolicy,
});
