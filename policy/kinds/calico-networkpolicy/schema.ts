// projectcalico.org/v3 NetworkPolicy as users write it, with Calico 3.30's validation
// (libcalico-go lib/validator/v3/validator.go, validateNetworkPolicy; docs "Network policy").
// Namespaced; its rules and selectors are those shared by every Calico policy kind (../calico/).
import { z } from 'zod';
import { dns1123SubdomainErrors } from '../../validation/names.ts';
import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { checkTieredName } from '../calico/policy-name.ts';
import { calicoPolicySpecShape } from '../calico/policy-spec.ts';
import { checkServiceDirections } from '../calico/service-match.ts';
import { enumOf } from '../shared/enum.ts';
import { namespacedObjectMetaSchema } from '../shared/object-meta.ts';

export { CALICO_API_VERSION } from '../calico/api-version.ts';
export const CALICO_NETWORK_POLICY_KIND = 'NetworkPolicy';

export const calicoNetworkPolicySpecSchema = z.strictObject(calicoPolicySpecShape).superRefine((spec, ctx) => checkServiceDirections(spec, ctx, 'namespaced'));

export const calicoNetworkPolicySchema = z
  .strictObject({
    apiVersion: enumOf([CALICO_API_VERSION]),
    kind: enumOf([CALICO_NETWORK_POLICY_KIND]),
    metadata: namespacedObjectMetaSchema(dns1123SubdomainErrors),
    /** Every spec field has a default, so an absent spec is an empty one (Go's zero value). */
    spec: calicoNetworkPolicySpecSchema.optional(),
  })
  .superRefine(checkTieredName);
export type CalicoNetworkPolicyInput = z.infer<typeof calicoNetworkPolicySchema>;
