// projectcalico.org/v3 StagedNetworkPolicy: a Calico NetworkPolicy that is only evaluated for flow
// logs, with `stagedAction` (../calico/staged.ts). Validated as the NetworkPolicy it stages
// (validateStagedNetworkPolicy), including the tiered name rule.
import { z } from 'zod';
import { dns1123SubdomainErrors } from '../../validation/names.ts';
import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { checkTieredName } from '../calico/policy-name.ts';
import { calicoPolicySpecShape } from '../calico/policy-spec.ts';
import { checkServiceDirections } from '../calico/service-match.ts';
import { checkStagedDelete, stagedActionSchema } from '../calico/staged.ts';
import { enumOf } from '../shared/enum.ts';
import { namespacedObjectMetaSchema } from '../shared/object-meta.ts';

export const STAGED_NETWORK_POLICY_KIND = 'StagedNetworkPolicy';

export const stagedNetworkPolicySpecSchema = z
  .strictObject({ ...calicoPolicySpecShape, stagedAction: stagedActionSchema.optional() })
  .superRefine((spec, ctx) => {
    checkStagedDelete(spec, ctx, ['tier', 'stagedAction']);
    checkServiceDirections(spec, ctx, 'namespaced');
  });

export const stagedNetworkPolicySchema = z
  .strictObject({
    apiVersion: enumOf([CALICO_API_VERSION]),
    kind: enumOf([STAGED_NETWORK_POLICY_KIND]),
    metadata: namespacedObjectMetaSchema(dns1123SubdomainErrors),
    spec: stagedNetworkPolicySpecSchema.optional(),
  })
  .superRefine(checkTieredName);
export type StagedNetworkPolicyInput = z.infer<typeof stagedNetworkPolicySchema>;
