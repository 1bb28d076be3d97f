// What the compiler's front half hands to the eBPF code generator: the policy of one endpoint and
// direction with every selector, peer and named port already resolved to what a packet carries
// (remote address, protocol, destination port). Plain JSON values, so they hash canonically and a
// debug dump is readable.
//
// Evaluation order (../../shared/DESIGN.md, "Policy semantics"): tiers in the listed order; inside
// a tier, policies then rules in the listed order; the first matching rule decides.

import type { EndpointKey } from '../inventory.ts';
import type { Action, Direction, Protocol } from '../ir.ts';

/** Inclusive destination port range, first <= last. */
export interface PortRange {
  first: number;
  last: number;
}

/**
 * An address range minus holes (an ipBlock, or one pod address as a /32 or /128 without holes).
 * CIDRs are canonical text (policy/validation/cidr.ts formatCidr); every `except` lies strictly
 * inside `cidr`, none inside another, sorted.
 */
export interface CidrBlock {
  family: 4 | 6;
  cidr: string;
  except: string[];
}

/**
 * A union of blocks, sorted by family, address and prefix, with duplicates and blocks wholly inside
 * another block removed. Empty means "matches no address" (a selector that selects no pod today).
 */
export type CidrSet = CidrBlock[];

/**
 * One conjunction a packet is tested against: protocol AND destination port AND remote address.
 * `'any'` is the absent condition. `ports` is never a list when `protocol` is 'any' (ports belong to
 * a protocol), and is sorted, merged and non-empty when it is one.
 */
export interface MatchTerm {
  protocol: Protocol | 'any';
  ports: PortRange[] | 'any';
  remote: CidrSet | 'any';
  // Optional conditions (the optional IR features). Absent = no condition, so a term without them
  // means, encodes and hashes exactly what it did before they existed.
  /** IP protocol number the IR has no name for (Rule.protocolNumber); `protocol` and `ports` are then 'any'. */
  protocolNumber?: number;
  /** Only IPv4 or only IPv6 packets. */
  ipVersion?: 4 | 6;
  /** ICMP type (and code); `protocol` is ICMP or ICMPv6. */
  icmp?: { type: number; code?: number };
  /** Source port ranges, sorted and merged; a packet without ports never matches. */
  srcPorts?: PortRange[];
  /**
   * The term matches only when none of these match (notPorts, notPeers, notProtocol, notICMP,
   * notSrcPorts). Never empty when present, and these terms carry no `except` of their own.
   */
  except?: MatchTerm[];
}

/**
 * A rule with its identity (so flow logs and explain can name it) and its match as terms ORed.
 * No terms = the rule matches nothing (a peer selector or named port that resolves nowhere); the
 * rule is kept so indexes stay those of the source policy.
 */
export interface ResolvedRule {
  /** Index in the source policy's rule list for this direction. */
  index: number;
  action: Action;
  terms: MatchTerm[];
}

/** A policy that selects the endpoint for the direction. */
export interface ResolvedPolicy {
  id: string;
  /** Staged policies never change a packet's fate; their would-be verdict is only recorded. */
  staged: boolean;
  /**
   * An enforced policy that some staged policy names as its stagedTarget: the staged ("would have
   * been") evaluation leaves it out. Absent when false.
   */
  stagedOut?: true;
  rules: ResolvedRule[];
}

/**
 * A tier with at least one policy selecting the endpoint for the direction. A tier none of whose
 * policies selects the endpoint is left out: it does not apply its default action.
 */
export interface ResolvedTier {
  name: string;
  order: number;
  /** Applied when a selecting policy exists but no rule decided: Deny, or Pass to the next tier. */
  defaultAction: 'Deny' | 'Pass';
  /**
   * At least one enforced (not staged) policy selects the endpoint. When false, only staged
   * policies do: enforcement skips the tier; the staged ("would have been") evaluation uses it.
   */
  enforced: boolean;
  policies: ResolvedPolicy[];
}

export interface DirectionPolicy {
  direction: Direction;
  tiers: ResolvedTier[];
  /**
   * SHA-256 (hex) over `direction` and `tiers` in canonical form (./hash.ts). Depends only on what
   * the programs must do, not on which endpoint it is, so the agent recompiles an endpoint exactly
   * when its hash changes (and may share a program between endpoints with equal hashes). Endpoints
   * with equal content may share one DirectionPolicy object: treat the output as read-only.
   */
  hash: string;
}

export interface EndpointPolicy {
  endpoint: EndpointKey;
  /** Host side of the pod's veth, when the endpoint is on this node. */
  hostInterface?: string;
  /**
   * Traffic to the pod. null when no policy of any tier (enforced or staged) selects the endpoint
   * for ingress: the traffic is allowed, as Kubernetes does for non-isolated pods.
   */
  ingress: DirectionPolicy | null;
  /** Traffic from the pod; null as for ingress. */
  egress: DirectionPolicy | null;
}
