// The match terms one policy asks for as written, before any selector is resolved: per rule, its
// remote peers times its ports, an IP block counting once for its CIDR and once per `except`. Plan
// limits on rules alone let one rule carry a million peers (the rule count of a policy says nothing
// of what the dataplane compiles); this count is what a rule costs at least, on every endpoint the
// policy selects, so it is checked against rulesPerEndpoint when the policy is written, even before
// any inventory lets the write service count per endpoint (./endpoint-rules.ts).
import type { Direction, Peer, Policy, Rule } from '../ir.ts';

/** The larger direction of a policy, the one a limit is checked against. */
export interface WrittenTerms {
  direction: Direction;
  terms: number;
}

export function writtenTermsOf(policy: Pick<Policy, 'ingress' | 'egress'>): WrittenTerms {
  const ingress = directionTerms(policy.ingress);
  const egress = directionTerms(policy.egress);
  return egress > ingress ? { direction: 'egress', terms: egress } : { direction: 'ingress', terms: ingress };
}

function directionTerms(rules: readonly Rule[]): number {
  let terms = 0;
  for (const rule of rules) terms += Math.max(1, remotesOf(rule)) * Math.max(1, rule.ports.length);
  return terms;
}

/** Peers and nodes a rule matches the remote end against, and the CIDRs it subtracts from it. */
function remotesOf(rule: Rule): number {
  let remotes = rule.nodes?.length ?? 0;
  for (const peer of [...rule.peers, ...(rule.notPeers ?? [])]) remotes += cidrsOf(peer);
  return remotes;
}

function cidrsOf(peer: Peer): number {
  if ('ipBlock' in peer) return 1 + peer.ipBlock.except.length;
  if ('service' in peer) return 1;
  return Math.max(1, peer.nets?.length ?? 0);
}
