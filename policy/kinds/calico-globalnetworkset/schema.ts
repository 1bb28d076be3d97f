// projectcalico.org/v3 GlobalNetworkSet: cluster-scoped, labels plus CIDRs (../calico/network-set.ts).
// Selectors of GlobalNetworkPolicy rules match it, and NetworkPolicy rules with namespaceSelector
// `global()`.
import { z } from 'zod';
import { dns1123SubdomainErrors } from '../../validation/names.ts';
import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { checkNetworkSetLabels, networkSetSpecSchema } from '../calico/network-set.ts';
import { enumOf } from '../shared/enum.ts';
import { clusterObjectMetaSchema } from '../shared/object-meta.ts';

export const GLOBAL_NETWORK_SET_KIND = 'GlobalNetworkSet';

export const globalNetworkSetSchema = z
  .strictObject({
    apiVersion: enumOf([CALICO_API_VERSION]),
    kind: enumOf([GLOBAL_NETWORK_SET_KIND]),
    metadata: clusterObjectMetaSchema(dns1123SubdomainErrors),
    spec: networkSetSpecSchema.optional(),
  })
  .superRefine(checkNetworkSetLabels);
export type GlobalNetworkSetInput = z.infer<typeof globalNetworkSetSchema>;
