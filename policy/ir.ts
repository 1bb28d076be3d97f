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

/** Which endpoints (pods): a selector over their namespace's labels AND a selector over their own labels. */
export const endpointMatchSchema = z.strictObject({
  namespaceSelector: selectorSchema,
  podSelector: selectorSchema,
});
export type EndpointMatch = z.infer<typeof endpointMatchSchema>;

export const cidrMatchSchema = z.strictObject({
  cidr: z.string(),
  except: z.array(z.string()),
});
export type CidrMatch = z.infer<typeof cidrMatchSchema>;

/** A peer is either a set of endpoints or an IP block; a rule's peers are ORed. */
export const peerSchema = z.union([
  z.strictObject({ endpoints: endpointMatchSchema }),
  z.strictObject({ ipBlock: cidrMatchSchema }),
]);
export type Peer = z.infer<typeof peerSchema>;

export const protocolSchema = z.enum(['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6']);
export type Protocol = z.infer<typeof protocolSchema>;

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
 * and port) AND some peer matches the remote end (an empty list matches every peer).
 */
export const ruleSchema = z.strictObject({
  action: actionSchema,
  ports: z.array(portMatchSchema),
  peers: z.array(peerSchema),
});
export type Rule = z.infer<typeof ruleSchema>;

export const directionSchema = z.enum(['ingress', 'egress']);
export type Direction = z.infer<typeof directionSchema>;

export const policySchema = z.strictObject({
  /** Stable identity, `Kind/namespace/name` or `Kind/name` for cluster-scoped kinds; used in flow logs. */
  id: z.string(),
  kind: z.string(),
  namespace: z.string().nullable(),
  name: z.string(),
  /** Order inside the tier: lower first; ties broken by id so evaluation never depends on storage order. */
  order: z.number(),
  /** Staged policies are evaluated only to record what they would have decided. */
  staged: z.boolean(),
  /** The endpoints this policy applies to. */
  subject: endpointMatchSchema,
  /** Directions the policy governs; a governed direction with no matching rule falls to the tier default. */
  directions: z.array(directionSchema),
  ingress: z.array(ruleSchema),
  egress: z.array(ruleSchema),
});
export type Policy = z.infer<typeof policySchema>;

export const tierSchema = z.strictObject({
  name: z.string(),
  order: z.number(),
  /** What happens when a policy of the tier selects the endpoint but none of its rules match. */
  defaultAction: z.enum(['Deny', 'Pass']),
  policies: z.array(policySchema),
});
export type Tier = z.infer<typeof tierSchema>;

/** The cluster's whole effective policy: tiers in ascending order, each with its policies in order. */
export const policySetSchema = z.strictObject({
  tiers: z.array(tierSchema),
});
export type PolicySet = z.infer<typeof policySetSchema>;

/** Tier orders from ../shared/DESIGN.md (Calico 3.30's built-in tiers). */
export const TIER_ORDER = {
  adminnetworkpolicy: 1_000,
  default: 1_000_000,
  baselineadminnetworkpolicy: 10_000_000,
} as const;

/** Kubernetes NetworkPolicies sit in the default tier at this policy order (Calico's convention). */
export const KUBERNETES_POLICY_ORDER = 1_000;
