// projectcalico.org/v3 StagedKubernetesNetworkPolicy: a Kubernetes NetworkPolicy spec (validated
// exactly as ../kubernetes-networkpolicy/ validates one) plus `stagedAction` (../calico/staged.ts).
// With Delete every other spec field must be empty (validateStagedKubernetesNetworkPolicy). With Set,
// podSelector omitted or null is every pod of the namespace, as for a NetworkPolicy.
import { z } from 'zod';
import { dns1123SubdomainErrors } from '../../validation/names.ts';
import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { checkStagedDelete, stagedActionSchema } from '../calico/staged.ts';
import { networkPolicySpecSchema } from '../kubernetes-networkpolicy/schema.ts';
import { enumOf } from '../shared/enum.ts';
import { namespacedObjectMetaSchema } from '../shared/object-meta.ts';

export const STAGED_KUBERNETES_NETWORK_POLICY_KIND = 'StagedKubernetesNetworkPolicy';

export const stagedKubernetesNetworkPolicySpecSchema = z
  .strictObject({
    ...networkPolicySpecSchema.shape,
    stagedAction: stagedActionSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    checkStagedDelete(spec, ctx, ['stagedAction']);
  });

export const stagedKubernetesNetworkPolicySchema = z.strictObject({
  apiVersion: enumOf([CALICO_API_VERSION]),
  kind: enumOf([STAGED_KUBERNETES_NETWORK_POLICY_KIND]),
  metadata: namespacedObjectMetaSchema(dns1123SubdomainErrors),
  spec: stagedKubernetesNetworkPolicySpecSchema,
});
export type StagedKubernetesNetworkPolicyInput = z.infer<typeof stagedKubernetesNetworkPolicySchema>;
