// The one intermediate representation every policy kind normalises into, and what a bundle carries.
// The agent compiles only this; the API, explain and the dataplane share its evaluation order
// (../shared/DESIGN.md, "Policy semantics"). Everything here is plain JSON so it encodes canonically.
import { z } from 'zod';

/** A label selector as an expression tree: Kubernetes label selectors and Calico selectors both land here. */
export type Selector =
  | { op: 'all' }
  | { op: 'none' }
  | { op: 'eq' | 'neq' | 'contains' | 'startsWith' | 'endsWith'; key: string; value: string }
  | { op: 'in' | 'notIn'; key: string; values: string[] }
  | { op: 'has' | 'notHas'; key: string }
  | { op: 'and' | 'or'; args: Selector[] }
  | { op: 'not'; arg: Selector };

export const selectorSchema: z.ZodType<Selector> = z.lazy(() =>
  z.union([
    z.strictObject({ op: z.enum(['all', 'none']) }),
    z.strictObject({
      op: z.enum(['eq', 'neq', 'contains', 'startsWith', 'endsWith']),
      key: z.string(),
      value: z.string(),
    }),
    z.strictObject({ op: z.enum(['in', 'notIn']), key: z.string(), values: z.array(z.string()) }),
    z.strictObject({ op: z.enum(['has', 'notHas']), key: z.string() }),
    z.strictObject({ op: z.enum(['and', 'or']), args: z.array(selectorSchema) }),
    z.strictObject({ op: z.literal('not'), arg: selectorSchema }),
  ]),
);

/** Namespace label that the Kubernetes API server sets on every namespace; selecting "this namespace" uses it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Service accounts, as Calico's ServiceAccountMatch: `names` lists accepted service account names,
 * `selector` is evaluated against the service account's labels (plus `projectcalico.org/name` set to
 * its name, as Calico adds). Both given: both must hold. Something without a service account (a
 * network set) has no name and the labels `{}`. The agent's inventory must carry each pod's service
 * account name and labels for this.
 */
export const serviceAccountMatchSchema = z.strictObject({
  names: z.array(z.string()).optional(),
  selector: selectorSchema.optional(),
});
export type ServiceAccountMatch = z.infer<typeof serviceAccountMatchSchema>;

/**
 * Which endpoints (pods): a selector over their namespace's labels AND a selector over their own labels
 * (AND, when given, a match on their service account). Something without a namespace (a global network
 * set) is matched with the namespace labels `{}`, so it never carries NAMESPACE_NAME_LABEL there.
 */
export const endpointMatchSchema = z.strictObject({
  namespaceSelector: selectorSchema,
  podSelector: selectorSchema,
  serviceAccounts: serviceAccountMatchSchema.optional(),
});
export type EndpointMatch = z.infer<typeof endpointMatchSchema>;

export const cidrMatchSchema = z.strictObject({
  cidr: z.string(),
  except: z.array(z.string()),
});

/** A Kubernetes Service by namespace and name. */
export const serviceRefSchema = z.strictObject({ namespace: z.string(), name: z.string() });

/**
 * A peer is a set of endpoints, an IP block or the endpoints of a Service; a rule's peers are ORed.
 * - `networkSets: true` (Calico selectors): network sets (PolicySet.networkSets) match like endpoints,
 *   by their namespace's labels and their own labels, and contribute their nets as addresses.
 *   Without it only pods match, as Kubernetes and AdminNetworkPolicy selectors mean.
 * - `nets` (Calico `nets` given together with a selector): only the addresses of the matching
 *   endpoints and network sets that lie inside one of these CIDRs count (an intersection).
 * - `service` (Calico `services`): the addresses of the Service's endpoints, as the agent's inventory
 *   lists them from the Service's EndpointSlices; a Service the inventory does not hold matches
 *   nothing. With `endpointPorts: true` (a Calico destination service) a packet must also go to one
 *   of the ports (protocol and number) of the EndpointSlice its destination address is in, as
 *   Felix's IP-and-port set for a destination service holds (felix/calc/rule_scanner.go,
 *   felix/serviceindex). Normalisers put service peers in `peers` only: Calico allows `services` on
 *   a rule's remote end alone (validateNetworkPolicySpec); elsewhere the addresses alone count.
 */
export const peerSchema = z.union([
  z.strictObject({
    endpoints: endpointMatchSchema,
    networkSets: z.literal(true).optional(),
    nets: z.array(z.string()).optional(),
  }),
  z.strictObject({ ipBlock: cidrMatchSchema }),
  z.strictObject({ service: serviceRefSchema, endpointPorts: z.literal(true).optional() }),
]);
export type Peer = z.infer<typeof peerSchema>;

export const protocolSchema = z.enum(['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6']);
export type Protocol = z.infer<typeof protocolSchema>;

/** IP protocol numbers of the named protocols; any other protocol is carried as a number (Rule.protocolNumber). */
export const PROTOCOL_NUMBERS: Readonly<Record<Protocol, number>> = { ICMP: 1, TCP: 6, UDP: 17, ICMPv6: 58, SCTP: 132 };

/** An IP protocol number with no name in the IR (0 is not a protocol: Calico refuses it too). */
export const protocolNumberSchema = z.number().int().min(1).max(255);

/** ICMP type and code (Calico: type 0-254, code 0-255 and only with a type). */
export const icmpMatchSchema = z.strictObject({
  type: z.number().int().min(0).max(254),
  code: z.number().int().min(0).max(255).optional(),
});
export type IcmpMatch = z.infer<typeof icmpMatchSchema>;

/**
 * One protocol/port entry of a rule. `port` absent = every port of the protocol; `endPort` makes a range;
 * `name` is a named port, resolved per destination endpoint by the agent (never both `port` and `name`).
 */
export const portMatchSchema = z.strictObject({
  protocol: protocolSchema,
  port: z.number().int().min(1).max(65535).optional(),
  endPort: z.number().int().min(1).max(65535).optional(),
  name: z.string().optional(),
});
export type PortMatch = z.infer<typeof portMatchSchema>;

export const actionSchema = z.enum(['Allow', 'Deny', 'Pass', 'Log']);
export type Action = z.infer<typeof actionSchema>;

/**
 * A rule matches a packet when some entry of `ports` matches (an empty list matches every protocol
 * and port) AND some peer matches the remote end (an empty list matches every peer), AND every
 * optional condition below that is present holds. Absent optional fields add no condition, so a rule
 * written with the two lists alone means what it always meant. "Source" and "destination" are those
 * of the packet that opens the connection; replies follow conntrack.
 */
export const ruleSchema = z.strictObject({
  action: actionSchema,
  ports: z.array(portMatchSchema),
  peers: z.array(peerSchema),
  /** For flow logs and explain: the rule's name where the kind has one (AdminNetworkPolicy). */
  name: z.string().optional(),
  /** The destination port matches none of these (Calico `notPorts`); named ports as in `ports`. */
  notPorts: z.array(portMatchSchema).optional(),
  /**
   * The source port matches one of these (Calico `source.ports`); a name is looked up on the source
   * endpoint of the traffic.
   */
  srcPorts: z.array(portMatchSchema).optional(),
  /** The source port matches none of these. */
  notSrcPorts: z.array(portMatchSchema).optional(),
  /**
   * Only packets of this IP protocol, one the IR has no name for (Calico `protocol: 47`, `UDPLite`).
   * `ports` is then empty; the protocol condition is this field alone.
   */
  protocolNumber: protocolNumberSchema.optional(),
  /** The packet's protocol is not this one (Calico `notProtocol`), given by name or ... */
  notProtocol: protocolSchema.optional(),
  /** ... by number when the IR has no name for it. */
  notProtocolNumber: protocolNumberSchema.optional(),
  /** Only ICMP (IPv4) or ICMPv6 (IPv6) packets of this type (and code); the rule's ports name the protocol. */
  icmp: icmpMatchSchema.optional(),
  /**
   * Not ICMP packets of this type (and code), taking ICMP for IPv4 packets and ICMPv6 for IPv6
   * packets; packets of other protocols are not excluded.
   */
  notICMP: icmpMatchSchema.optional(),
  /** Only IPv4 or only IPv6 packets. */
  ipVersion: z.union([z.literal(4), z.literal(6)]).optional(),
  /** The remote end matches none of these peers (Calico `notNets`, `notSelector`). */
  notPeers: z.array(peerSchema).optional(),
  /**
   * The local end (the endpoint the policy is enforced on) matches one of these, judged by its labels
   * and by the packet's local address (Calico `destination` in ingress rules, `source` in egress rules).
   */
  localPeers: z.array(peerSchema).optional(),
  /** The local end matches none of these. */
  notLocalPeers: z.array(peerSchema).optional(),
  /**
   * More remote peers: the addresses of Kubernetes nodes whose labels match one of these selectors
   * (AdminNetworkPolicy `nodes`). They are ORed with `peers`; with `nodes` present, an empty `peers`
   * adds nothing rather than meaning "every peer". The agent needs a node inventory (labels and
   * node.status.addresses) to resolve them.
   */
  nodes: z.array(selectorSchema).optional(),
});
export type Rule = z.infer<typeof ruleSchema>;

export const directionSchema = z.enum(['ingress', 'egress']);
export type Direction = z.infer<typeof directionSchema>;

/**
 * A Calico doNotTrack policy's part (GlobalNetworkPolicy `doNotTrack: true`): its ingress rules,
 * evaluated on packets arriving at the host endpoints `hostEndpoints` selects (by their labels),
 * before any connection tracking. The agent compiles them to XDP on each host endpoint's interface;
 * the API admits only what that enforces exactly (Deny rules on source addresses, protocol and
 * destination ports), so their order among each other decides only which rule counts a drop.
 */
export const untrackedPolicySchema = z.strictObject({
  hostEndpoints: selectorSchema,
  ingress: z.array(ruleSchema),
});

export const policySchema = z.strictObject({
  /** Stable identity, `Kind/namespace/name` or `Kind/name` for cluster-scoped kinds; used in flow logs. */
  id: z.string(),
  kind: z.string(),
  namespace: z.string().nullable(),
  name: z.string(),
  /** Order inside the tier: lower first; ties broken as Felix breaks them (policy-order.ts), then by id. */
  order: z.number(),
  /** Staged policies are evaluated only to record what they would have decided. */
  staged: z.boolean(),
  /**
   * The tier the policy belongs to (a Tier's name or a built-in one); absent means `default`, the
   * tier of Kubernetes NetworkPolicy. buildPolicySet places the policy by it.
   */
  tier: z.string().optional(),
  /**
   * Staged policies only: the id of the enforced policy this one would replace. The "would have been"
   * verdict is computed with that policy left out, so a staged edit previews the edit, not the sum of
   * old and new. A staged deletion (Calico `stagedAction: Delete`) is a staged policy with no
   * directions and no rules that names its target here: it previews the target's removal.
   */
  stagedTarget: z.string().optional(),
  /** The endpoints this policy applies to. */
  subject: endpointMatchSchema,
  /** Directions the policy governs; a governed direction with no matching rule falls to the tier default. */
  directions: z.array(directionSchema),
  ingress: z.array(ruleSchema),
  egress: z.array(ruleSchema),
  /**
   * Host endpoint rules enforced before connection tracking (doNotTrack); such a policy governs no
   * pod direction, so `directions` is empty. Absent for every other policy.
   */
  untracked: untrackedPolicySchema.optional(),
});
export type Policy = z.infer<typeof policySchema>;

export const tierDefaultActionSchema = z.enum(['Deny', 'Pass']);

/** A tier without its policies: what a Calico Tier object (or a built-in tier) defines. */
export const tierDefinitionSchema = z.strictObject({
  name: z.string(),
  /** Ascending; a tier without an order (Calico: "infinite") is given LAST_ORDER. */
  order: z.number(),
  /** What happens when a policy of the tier selects the endpoint but none of its rules match. */
  defaultAction: tierDefaultActionSchema,
});
export type TierDefinition = z.infer<typeof tierDefinitionSchema>;

export const tierSchema = tierDefinitionSchema.extend({
  policies: z.array(policySchema),
});
export type Tier = z.infer<typeof tierSchema>;

/**
 * A Calico NetworkSet or GlobalNetworkSet: not a policy but something rule selectors match like an
 * endpoint (peers with `networkSets: true`), whose addresses are its nets. `namespace` null = global.
 */
export const networkSetSchema = z.strictObject({
  /** `NetworkSet/namespace/name` or `GlobalNetworkSet/name`. */
  id: z.string(),
  kind: z.enum(['NetworkSet', 'GlobalNetworkSet']),
  namespace: z.string().nullable(),
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  /** Canonical CIDRs (host bits cleared, a bare address as /32 or /128), sorted. */
  nets: z.array(z.string()),
});
export type NetworkSet = z.infer<typeof networkSetSchema>;

/**
 * A Calico HostEndpoint: a host interface that doNotTrack policies select by `labels`. Enforced by
 * the agent of `node`, on `interfaceName` (a host endpoint known by its expectedIPs alone names no
 * interface to attach to and is enforced nowhere; the agent reports it).
 */
export const hostEndpointSchema = z.strictObject({
  /** `HostEndpoint/name`. */
  id: z.string(),
  name: z.string(),
  node: z.string(),
  interfaceName: z.string().optional(),
  /** Canonical addresses, sorted. */
  expectedIPs: z.array(z.string()),
  labels: z.record(z.string(), z.string()),
});
export type HostEndpoint = z.infer<typeof hostEndpointSchema>;

// Bandwidth (BandwidthPolicy objects, the plan's ceiling). Rates are bits per second and bursts bytes,
// concrete numbers: every default is applied before a bundle is signed (or, for pod annotations, when
// the agent reads them), so the dataplane never guesses. policy/bandwidth resolves them per endpoint.

/** One direction's limit: a sustained rate and the bytes that may pass at once above it. */
export const bandwidthLimitSchema = z.strictObject({
  rateBitsPerSecond: z.number().int().positive(),
  burstBytes: z.number().int().positive(),
});
export type BandwidthLimit = z.infer<typeof bandwidthLimitSchema>;

/**
 * `Pod`: every selected pod gets its own bucket at this limit. `Namespace`: the selected pods of each
 * namespace share one bucket (per node), so the limit holds for their sum.
 */
export const bandwidthScopeSchema = z.enum(['Pod', 'Namespace']);

/**
 * A BandwidthPolicy in the IR. "Ingress" limits traffic entering the selected pods, "egress" traffic
 * leaving them, as in policy directions.
 */
export const bandwidthPolicySchema = z.strictObject({
  /** `BandwidthPolicy/namespace/name`. */
  id: z.string(),
  namespace: z.string().nullable(),
  name: z.string(),
  subject: endpointMatchSchema,
  scope: bandwidthScopeSchema,
  ingress: bandwidthLimitSchema.optional(),
  egress: bandwidthLimitSchema.optional(),
});
export type BandwidthPolicy = z.infer<typeof bandwidthPolicySchema>;

/**
 * The tenant's plan limits a bundle carries for the agent to enforce: the agent refuses a bundle
 * whose expansion over its inventory exceeds them, and caps the sum of the tenant's pods on the node
 * at the bandwidth ceiling.
 */
export const bundleLimitsSchema = z.strictObject({
  /** Rules (terms after selector expansion) one endpoint's direction program may evaluate. */
  rulesPerEndpoint: z.number().int().positive().optional(),
  /** CIDRs one network set may hold. */
  cidrsPerSet: z.number().int().positive().optional(),
  /** Per node, per direction: the sum over all of the tenant's pods on one node. */
  bandwidthCeiling: z.strictObject({ ingress: bandwidthLimitSchema.optional(), egress: bandwidthLimitSchema.optional() }).optional(),
});
export type BundleLimits = z.infer<typeof bundleLimitsSchema>;

/**
 * The cluster's whole effective policy: tiers in ascending order, each with its policies in order,
 * and the network sets rule selectors may match (absent when there are none, so policy sets without
 * any keep the bytes, hence the content hash, they always had).
 */
export const policySetSchema = z.strictObject({
  tiers: z.array(tierSchema),
  networkSets: z.array(networkSetSchema).optional(),
  /** BandwidthPolicy objects, by id (absent when there are none, like networkSets). */
  bandwidthPolicies: z.array(bandwidthPolicySchema).optional(),
  /** HostEndpoint objects, by id (absent when there are none, like networkSets). */
  hostEndpoints: z.array(hostEndpointSchema).optional(),
  /** The tenant's plan limits the agent enforces (absent when the plan sets none of them). */
  limits: bundleLimitsSchema.optional(),
});
export type PolicySet = z.infer<typeof policySetSchema>;

/** Tier orders from ../shared/DESIGN.md (Calico 3.30's built-in tiers). */
export const TIER_ORDER = {
  adminnetworkpolicy: 1_000,
  default: 1_000_000,
  baselineadminnetworkpolicy: 10_000_000,
} as const;

/**
 * Names newer Calico releases give the admin and baseline tiers: the same tiers as
 * adminnetworkpolicy and baselineadminnetworkpolicy, so a Tier object of either name configures them.
 */
export const TIER_NAME_ALIASES: Readonly<Record<string, keyof typeof TIER_ORDER>> = {
  'kube-admin': 'adminnetworkpolicy',
  'kube-baseline': 'baselineadminnetworkpolicy',
};

/** The tier a name stands for: an alias's tier, else the name itself. */
export function canonicalTierName(name: string): string {
  return Object.hasOwn(TIER_NAME_ALIASES, name) ? TIER_NAME_ALIASES[name]! : name;
}

/** Kubernetes NetworkPolicies sit in the default tier at this policy order (Calico's convention). */
export const KUBERNETES_POLICY_ORDER = 1_000;

/**
 * The order of a Calico policy or tier written without one: Calico applies those last ("infinite"),
 * ties by name. JSON has no infinity, so the IR uses the largest finite number.
 */
export const LAST_ORDER = Number.MAX_VALUE;
