import { definePolicyKind } from '../define.ts';
import { applyClusterNetworkPolicyDefaults } from './defaults.ts';
import { normaliseClusterNetworkPolicy } from './normalise.ts';
import { CLUSTER_NETWORK_POLICY_KIND, clusterNetworkPolicySchema, POLICY_API_V1ALPHA2 } from './schema.ts';

export const clusterNetworkPolicyKind = definePolicyKind({
  apiVersion: POLICY_API_V1ALPHA2,
  kind: CLUSTER_NETWORK_POLICY_KIND,
  schema: clusterNetworkPolicySchema,
  toStored: applyClusterNetworkPolicyDefaults,
  normalise: normaliseClusterNetworkPolicy,
});
