// projectcalico.org/v3 NetworkSet: namespaced, labels plus CIDRs (../calico/network-set.ts). Rule
// selectors of policies in its namespace match it like an endpoint.
import { z } from 'zod';
import { dns1123SubdomainErrors } from '../../validation/names.ts';
import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { checkNetworkSetLabels, networkSetSpecSchema } from '../calico/network-set.ts';
import { enumOf } from '../shared/enum.ts';
import { namespacedObjectMetaSchema } from '../shared/object-meta.ts';

export const NETWORK_SET_KIND = 'NetworkSet';

export const networkSetSchema = z
  .strictObject({
    apiVersion: enumOf([CALICO_API_VERSION]),
    kind: enumOf([NETWORK_SET_KIND]),
    metadata: namespacedObjectMetaSchema(dns1123SubdomainErrors),
    spec: networkSetSpecSchema.optional(),
  })
  .superRefine(checkNetworkSetLabels);
export type NetworkSetInput = z.infer<typeof networkSetSchema>;
