// networking.k8s.io/v1 NetworkPolicy as written by users, with the API server's validation
// (k8s.io/kubernetes pkg/apis/networking/validation/validation.go, ValidateNetworkPolicy). Defaults
// are not applied here (./defaults.ts); this is the shape accepted on write.
import { z } from 'zod';
import { isStrictSubset, type ParsedCidr, parseCidr } from '../../validation/cidr.ts';
import { duplicateValue, forbidden, invalidValue, requiredValue, unsupportedValue } from '../../validation/field-errors.ts';
import { dns1123SubdomainErrors, portNameErrors } from '../../validation/names.ts';
import { addIssue } from '../issues.ts';
import { labelSelectorSchema } from '../shared/label-selector.ts';
import { namespacedObjectMetaSchema } from '../shared/object-meta.ts';

export const NETWORK_POLICY_API_VERSION = 'networking.k8s.io/v1';
export const NETWORK_POLICY_KIND = 'NetworkPolicy';

export const NETWORK_POLICY_PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export const POLICY_TYPES = ['Ingress', 'Egress'] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

/** Kubernetes' IsValidPortNum. */
const MIN_PORT = 1;
const MAX_PORT = 65535;
const PORT_RANGE_MESSAGE = `must be between ${MIN_PORT} and ${MAX_PORT}, inclusive`;

function unsupported(supported: readonly string[]) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? undefined : unsupportedValue(issue.input, supported));
}

export const networkPolicyPortSchema = z
  .strictObject({
    protocol: z.enum(NETWORK_POLICY_PROTOCOLS, { error: unsupported(NETWORK_POLICY_PROTOCOLS) }).optional(),
    /** IntOrString: a number is a port, a string is a named container port (an IANA_SVC_NAME). */
    port: z
      .union([z.int(), z.string()], {
        error: (issue) => invalidValue(issue.input, 'must be an integer port number or a port name'),
      })
      .optional(),
    endPort: z.int().optional(),
  })
  .superRefine((port, ctx) => {
    if (port.port === undefined) {
      if (port.endPort !== undefined) {
        addIssue(ctx, ['endPort'], invalidValue(port.endPort, 'may not be specified when `port` is not specified'));
      }
      return;
    }
    if (typeof port.port === 'string') {
      if (port.endPort !== undefined) {
        addIssue(ctx, ['endPort'], invalidValue(port.endPort, 'may not be specified when `port` is non-numeric'));
      }
      for (const detail of portNameErrors(port.port)) addIssue(ctx, ['port'], invalidValue(port.port, detail));
      return;
    }
    if (port.port < MIN_PORT || port.port > MAX_PORT) addIssue(ctx, ['port'], invalidValue(port.port, PORT_RANGE_MESSAGE));
    if (port.endPort !== undefined) {
      if (port.endPort < port.port) {
        addIssue(ctx, ['endPort'], invalidValue(port.endPort, 'must be greater than or equal to `port`'));
      }
      if (port.endPort < MIN_PORT || port.endPort > MAX_PORT) {
        addIssue(ctx, ['endPort'], invalidValue(port.endPort, PORT_RANGE_MESSAGE));
      }
    }
  });
export type NetworkPolicyPort = z.infer<typeof networkPolicyPortSchema>;

/** ValidateIPBlock: strict CIDRs, and every except entry a strict subset of `cidr` (hence of its family). */
export const ipBlockSchema = z
  .strictObject({
    cidr: z.string(),
    except: z.array(z.string()).optional(),
  })
  .superRefine((block, ctx) => {
    let cidr: ParsedCidr | undefined;
    if (block.cidr === '') addIssue(ctx, ['cidr'], requiredValue());
    else {
      const parsed = parseCidr(block.cidr);
      if (parsed.ok) cidr = parsed.cidr;
      else addIssue(ctx, ['cidr'], invalidValue(block.cidr, parsed.reason));
    }
    (block.except ?? []).forEach((text, i) => {
      const parsed = parseCidr(text);
      if (!parsed.ok) addIssue(ctx, ['except', i], invalidValue(text, parsed.reason));
      else if (cidr && !isStrictSubset(cidr, parsed.cidr)) {
        addIssue(ctx, ['except', i], invalidValue(text, 'must be a strict subset of `cidr`'));
      }
    });
  });
export type IPBlock = z.infer<typeof ipBlockSchema>;

/** ValidateNetworkPolicyPeer: at least one of the three; ipBlock stands alone, the selectors may combine (AND). */
export const networkPolicyPeerSchema = z
  .strictObject({
    podSelector: labelSelectorSchema.optional(),
    namespaceSelector: labelSelectorSchema.optional(),
    ipBlock: ipBlockSchema.optional(),
  })
  .superRefine((peer, ctx) => {
    const given = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter((p) => p !== undefined).length;
    if (given === 0) addIssue(ctx, [], requiredValue('must specify a peer'));
    else if (given > 1 && peer.ipBlock) addIssue(ctx, [], forbidden('may not specify both ipBlock and another peer'));
  });
export type NetworkPolicyPeer = z.infer<typeof networkPolicyPeerSchema>;

export const networkPolicyIngressRuleSchema = z.strictObject({
  ports: z.array(networkPolicyPortSchema).optional(),
  from: z.array(networkPolicyPeerSchema).optional(),
});
export type NetworkPolicyIngressRule = z.infer<typeof networkPolicyIngressRuleSchema>;

export const networkPolicyEgressRuleSchema = z.strictObject({
  ports: z.array(networkPolicyPortSchema).optional(),
  to: z.array(networkPolicyPeerSchema).optional(),
});
export type NetworkPolicyEgressRule = z.infer<typeof networkPolicyEgressRuleSchema>;

/**
 * Kubernetes refuses more than two entries and values other than Ingress/Egress. It lets a duplicate
 * through (["Ingress", "Ingress"]); we refuse it, since it can only be a mistake.
 */
export const policyTypesSchema = z.array(z.enum(POLICY_TYPES, { error: unsupported(POLICY_TYPES) })).superRefine((types, ctx) => {
  if (types.length > POLICY_TYPES.length) {
    addIssue(ctx, [], invalidValue(types, 'may not specify more than two policyTypes'));
    return;
  }
  types.forEach((type, i) => {
    if (types.indexOf(type) !== i) addIssue(ctx, [i], duplicateValue(type));
  });
});

/**
 * podSelector omitted or null is the empty selector, every pod of the namespace, as the API server
 * defaults it (kubernetes/kubernetes#131354 made that explicit; the network-policy-api conformance
 * suite applies such a policy). Defaulting (defaults.ts) writes `{}`, so the GET form shows it.
 */
export const networkPolicySpecSchema = z.strictObject({
  podSelector: labelSelectorSchema.nullish(),
  ingress: z.array(networkPolicyIngressRuleSchema).optional(),
  egress: z.array(networkPolicyEgressRuleSchema).optional(),
  policyTypes: policyTypesSchema.optional(),
});

export const networkPolicySchema = z.strictObject({
  apiVersion: z.literal(NETWORK_POLICY_API_VERSION, { error: unsupported([NETWORK_POLICY_API_VERSION]) }),
  kind: z.literal(NETWORK_POLICY_KIND, { error: unsupported([NETWORK_POLICY_KIND]) }),
  metadata: namespacedObjectMetaSchema(dns1123SubdomainErrors),
  spec: networkPolicySpecSchema,
  /** NetworkPolicy's alpha status field is gone from Kubernetes; a `status` in pasted output is accepted and dropped. */
  status: z.unknown().optional(),
});
/** A NetworkPolicy as submitted, before defaulting. */
export type NetworkPolicyInput = z.infer<typeof networkPolicySchema>;
