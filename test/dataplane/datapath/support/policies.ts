// Hand-made resolved policies (policy/evaluation's DirectionPolicy) for datapath tests: each test
// states the tiers, policies, rules and terms it is about, in evaluation order.

import { parseBlock, toCidrSet } from '../../../../policy/evaluation/cidr-set.ts';
import type { CidrSet, DirectionPolicy, MatchTerm, ResolvedPolicy, ResolvedRule, ResolvedTier } from '../../../../policy/evaluation/endpoint-policy.ts';
import { directionPolicyHash } from '../../../../policy/evaluation/hash.ts';
import type { Action, Direction, Protocol } from '../../../../policy/ir.ts';

/** "198.18.0.0/16" or "198.18.0.0/16 except 198.18.1.0/24,198.18.2.0/24" */
export function cidrs(...blocks: string[]): CidrSet {
  return toCidrSet(
    blocks.map((text) => {
      const [cidr, except] = text.split(' except ');
      return parseBlock({ cidr: cidr!, except: except ? except.split(',') : [] });
    }),
  );
}

export function term(protocol: Protocol | 'any' = 'any', ports: [number, number][] | 'any' = 'any', remote: CidrSet | 'any' = 'any'): MatchTerm {
  return { protocol, ports: ports === 'any' ? 'any' : ports.map(([first, last]) => ({ first, last })), remote };
}

export function rule(action: Action, ...terms: MatchTerm[]): Omit<ResolvedRule, 'index'> {
  return { action, terms: terms.length ? terms : [term()] };
}

export function policy(id: string, rules: Omit<ResolvedRule, 'index'>[], staged = false): ResolvedPolicy {
  return { id, staged, rules: rules.map((r, index) => ({ ...r, index })) };
}

export function tier(name: string, defaultAction: 'Deny' | 'Pass', policies: ResolvedPolicy[], order = 0): ResolvedTier {
  return { name, order, defaultAction, enforced: policies.some((p) => !p.staged), policies };
}

export function directionPolicy(direction: Direction, tiers: ResolvedTier[]): DirectionPolicy {
  return { direction, tiers, hash: directionPolicyHash(direction, tiers) };
}
