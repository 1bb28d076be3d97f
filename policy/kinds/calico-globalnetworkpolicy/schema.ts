// projectcalico.org/v3 GlobalNetworkPolicy as users write it, with Calico 3.30's validation
// (validateGlobalNetworkPolicy; docs "Global network policy"). Cluster-scoped; besides the fields
// every Calico policy has, a `namespaceSelector` for the namespaces it applies to and the host
// endpoint options doNotTrack, preDNAT and applyOnForward (doNotTrack policies limited to what the
// agent enforces at XDP: ../calico/untracked-policy.ts).
import { z } from 'zod';
import { dns1123SubdomainErrors } from '../../validation/names.ts';
import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { checkTieredName } from '../calico/policy-name.ts';
import { calicoGlobalPolicySpecShape, checkHostEndpointOptions } from '../calico/policy-spec.ts';
import { checkServiceDirections } from '../calico/service-match.ts';
import { checkUntrackedPolicy } from '../calico/untracked-policy.ts';
import { enumOf } from '../shared/enum.ts';
import { clusterObjectMetaSchema } from '../shared/object-meta.ts';

export const GLOBAL_NETWORK_POLICY_KIND = 'GlobalNetworkPolicy';

export const globalNetworkPolicySpecSchema = z.strictObject(calicoGlobalPolicySpecShape).superRefine((spec, ctx) => {
  checkHostEndpointOptions(spec, ctx);
  checkUntrackedPolicy(spec, ctx);
  checkServiceDirections(spec, ctx, 'global');
});
export type GlobalNetworkPolicySpec = z.infer<typeof globalNetworkPolicySpecSchema>;

export const globalNetworkPolicySchema = z
  .strictObject({
    apiVersion: enumOf([CALICO_API_VERSION]),
    kind: enumOf([GLOBAL_NETWORK_POLICY_KIND]),
    metadata: clusterObjectMetaSchema(dns1123SubdomainErrors),
    spec: globalNetworkPolicySpecSchema.optional(),
  })
  .superRefine(checkTieredName);
export type GlobalNetworkPolicyInput = z.infer<typeof globalNetworkPolicySchema>;
