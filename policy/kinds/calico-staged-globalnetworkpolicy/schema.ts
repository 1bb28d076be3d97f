// projectcalico.org/v3 StagedGlobalNetworkPolicy: a GlobalNetworkPolicy that is only evaluated for
// flow logs, with `stagedAction` (../calico/staged.ts); validated as the policy it stages
// (validateStagedGlobalNetworkPolicy).
import { z } from 'zod';
import { dns1123SubdomainErrors } from '../../validation/names.ts';
import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { checkTieredName } from '../calico/policy-name.ts';
import { calicoGlobalPolicySpecShape, checkHostEndpointOptions } from '../calico/policy-spec.ts';
import { checkServiceDirections } from '../calico/service-match.ts';
import { checkStagedDelete, stagedActionSchema } from '../calico/staged.ts';
import { enumOf } from '../shared/enum.ts';
import { clusterObjectMetaSchema } from '../shared/object-meta.ts';

export const STAGED_GLOBAL_NETWORK_POLICY_KIND = 'StagedGlobalNetworkPolicy';

export const stagedGlobalNetworkPolicySpecSchema = z
  .strictObject({ ...calicoGlobalPolicySpecShape, stagedAction: stagedActionSchema.optional() })
  .superRefine((spec, ctx) => {
    checkStagedDelete(spec, ctx, ['tier', 'stagedAction']);
    if (spec.stagedAction !== 'Delete') checkHostEndpointOptions(spec, ctx);
    checkServiceDirections(spec, ctx, 'global');
  });

export const stagedGlobalNetworkPolicySchema = z
  .strictObject({
    apiVersion: enumOf([CALICO_API_VERSION]),
    kind: enumOf([STAGED_GLOBAL_NETWORK_POLICY_KIND]),
    metadata: clusterObjectMetaSchema(dns1123SubdomainErrors),
    spec: stagedGlobalNetworkPolicySpecSchema.optional(),
  })
  .superRefine(checkTieredName);
export type StagedGlobalNetworkPolicyInput = z.infer<typeof stagedGlobalNetworkPolicySchema>;
