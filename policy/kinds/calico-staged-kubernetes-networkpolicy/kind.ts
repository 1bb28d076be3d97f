import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { definePolicyKind } from '../define.ts';
import { applyStagedKubernetesNetworkPolicyDefaults } from './defaults.ts';
import { normaliseStagedKubernetesNetworkPolicy } from './normalise.ts';
import { STAGED_KUBERNETES_NETWORK_POLICY_KIND, stagedKubernetesNetworkPolicySchema } from './schema.ts';

export const stagedKubernetesNetworkPolicyKind = definePolicyKind({
  apiVersion: CALICO_API_VERSION,
  kind: STAGED_KUBERNETES_NETWORK_POLICY_KIND,
  schema: stagedKubernetesNetworkPolicySchema,
  toStored: applyStagedKubernetesNetworkPolicyDefaults,
  normalise: normaliseStagedKubernetesNetworkPolicy,
});
