// projectcalico.org/v3 HostEndpoint as users write it (docs "Host endpoint"; libcalico-go
// validateHostEndpointSpec): a host interface named by `interfaceName` or found by `expectedIPs`,
// on `node`, with labels that doNotTrack policies select it by. palisade enforces untracked
// (doNotTrack) policy on it at XDP and nothing else, so what only tracked host policy would use is
// refused rather than stored to mean nothing: `profiles` (palisade has no Profile kind), named
// `ports` (no rule it enforces on a host endpoint can name one) and `interfaceName: "*"` (XDP
// attaches to one interface; "every interface" has none to name).
import { z } from 'zod';
import { parseCidr } from '../../validation/cidr.ts';
import { forbidden, invalidValue, requiredValue } from '../../validation/field-errors.ts';
import { dns1123SubdomainErrors } from '../../validation/names.ts';
import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { addIssue } from '../issues.ts';
import { enumOf } from '../shared/enum.ts';
import { clusterObjectMetaSchema } from '../shared/object-meta.ts';

export const HOST_ENDPOINT_KIND = 'HostEndpoint';

/** Linux interface names: IFNAMSIZ is 16 with the terminating NUL; Calico's interface validator. */
const INTERFACE_NAME = /^[a-zA-Z0-9_.-]{1,15}$/;

/** One address, read as the inventory reads pod addresses (so both compare in one spelling). */
const addressSchema = z.string().superRefine((text, ctx) => {
  if (!parseCidr(`${text}/${text.includes(':') ? 128 : 32}`).ok) addIssue(ctx, [], invalidValue(text, 'must be a valid IP address'));
});

export const hostEndpointSpecSchema = z
  .strictObject({
    node: z.string().optional(),
    interfaceName: z.string().optional(),
    expectedIPs: z.array(addressSchema).optional(),
    profiles: z.array(z.string()).optional(),
    ports: z.array(z.unknown()).optional(),
  })
  .superRefine((spec, ctx) => {
    if (!spec.node) addIssue(ctx, ['node'], requiredValue('the node whose agent enforces the host endpoint'));
    else for (const detail of dns1123SubdomainErrors(spec.node)) addIssue(ctx, ['node'], invalidValue(spec.node, detail));
    const { interfaceName } = spec;
    if (!interfaceName && (spec.expectedIPs?.length ?? 0) === 0) {
      addIssue(ctx, ['interfaceName'], requiredValue('no interfaceName or expectedIPs have been specified'));
    }
    if (interfaceName === '*') {
      addIssue(ctx, ['interfaceName'], forbidden('"*" (all interfaces) is not supported: untracked policy is enforced at XDP on one named interface'));
    } else if (interfaceName && !INTERFACE_NAME.test(interfaceName)) {
      addIssue(ctx, ['interfaceName'], invalidValue(interfaceName, 'must be an interface name: 1-15 of letters, digits, "_", "." and "-"'));
    }
    if ((spec.profiles?.length ?? 0) > 0) {
      addIssue(ctx, ['profiles'], forbidden('profiles are not supported: select the host endpoint by its labels from a GlobalNetworkPolicy'));
    }
    if ((spec.ports?.length ?? 0) > 0) {
      addIssue(ctx, ['ports'], forbidden('named ports of host endpoints are not supported: untracked rules match port numbers'));
    }
  });

export const hostEndpointSchema = z.strictObject({
  apiVersion: enumOf([CALICO_API_VERSION]),
  kind: enumOf([HOST_ENDPOINT_KIND]),
  metadata: clusterObjectMetaSchema(dns1123SubdomainErrors),
  spec: hostEndpointSpecSchema,
});
export type HostEndpointInput = z.infer<typeof hostEndpointSchema>;
