// projectcalico.org/v3 StagedKubernetesNetworkPolicy: a Kubernetes NetworkPolicy spec (validated
// exactly as ../kubernetes-networkpolicy/ validates one) plus `stagedAction` (../calico/staged.ts).
// With Delete every other spec field must be empty (validateStagedKubernetesNetworkPolicy), so
// podSelector, required otherwise, may be left out then.
import { z } from 'zod';
import { requiredValue } from '../../validation/field-errors.ts';
import { dns1123SubdomainErrors } from '../../validation/names.ts';
import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { checkStagedDelete, stagedActionSchema } from '../calico/staged.ts';
import { addIssue } from '../issues.ts';
import { networkPolicySpecSchema } from '../kubernetes-networkpolicy/schema.ts';
import { enumOf } from '../shared/enum.ts';
import { namespacedObjectMetaSchema } from '../shared/object-meta.ts';

export const STAGED_KUBERNETES_NETWORK_POLICY_KIND = 'StagedKubernetesNetworkPolicy';

export const stagedKubernetesNetworkPolicySpecSchema = z
  .strictObject({
    ...networkPolicySpecSchema.shape,
    podSelector: networkPolicySpecSchema.shape.podSelector.optional(),
    stagedAction: stagedActionSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    checkStagedDelete(spec, ctx, ['stagedAction']);
    if (spec.stagedAction !== 'Delete' && spec.podSelector === undefined) addIssue(ctx, ['podSelector'], requiredValue());
  });

export const stagedKubernetesNetworkPolicySchema = z.strictObject({
  apiVersion: enumOf([CALICO_API_VERSION]),
  kind: enumOf([STAGED_KUBERNETES_NETWORK_POLICY_KIND]),
  metadata: namespacedObjectMetaSchema(dns1123SubdomainErrors),
  spec: stagedKubernetesNetworkPolicySpecSchema,
});
export type StagedKubernetesNetworkPolicyInput = z.infer<typeof stagedKubernetesNetworkPolicySchema>;
