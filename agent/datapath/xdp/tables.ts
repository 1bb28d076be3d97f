// An interface's untracked rules as what its XDP program checks (pure): a list of terms, each with
// its protocol, IP version and destination port ranges in code, and its source address set as one
// bit in the values of two LPM tries (IPv4, IPv6). A source address looks up one trie once and gets
// the bits of every term whose set holds it; terms with any source are a constant mask.
//
// Why one lookup is exact (as policy/evaluation/lpm.ts argues for one set): the trie holds every
// prefix any term's set names (block CIDRs and their holes). CIDRs nest or are disjoint, so all the
// listed prefixes containing an address contain its longest match p; membership in each set is
// therefore the same for every address whose longest match is p, and is computed once from p.
import { mustParse } from '../../../policy/evaluation/cidr-set.ts';
import type { CidrSet, MatchTerm, PortRange } from '../../../policy/evaluation/endpoint-policy.ts';
import { PROTOCOL_NUMBERS } from '../../../policy/ir.ts';
import { cidrContains, type ParsedCidr } from '../../../policy/validation/cidr.ts';
import { XDP_MAX_TERMS } from './limits.ts';
import type { UntrackedRule } from './plan.ts';

/** What the program checks for one term, beside its bit of the source mask. */
export interface XdpTerm {
  /** The rule's counter slot, counted when the term drops a packet. */
  slot: number;
  /** IP protocol number; null = any. */
  protocol: number | null;
  ipVersion?: 4 | 6;
  /** Destination port ranges; null = any port (and packets without ports). */
  ports: PortRange[] | null;
}

export interface XdpTrieEntry {
  family: 4 | 6;
  prefix: number;
  /** Network-order address bytes (4 or 16). */
  addr: Uint8Array;
  mask: bigint;
}

export interface XdpTables {
  terms: XdpTerm[];
  /** Bits of the terms that match any source. */
  anyMask: bigint;
  entries: XdpTrieEntry[];
}

export type XdpTablesResult = { ok: true; tables: XdpTables } | { ok: false; code: 'UNTRACKED_RULE_UNSUPPORTED' | 'COMPILE_LIMIT'; message: string };

/** Whether `set` holds every address of `prefix` (a prefix the trie lists: a block or hole of some set). */
function holds(set: CidrSet, prefix: ParsedCidr): boolean {
  return set.some((block) => cidrContains(mustParse(block.cidr), prefix) && !block.except.some((hole) => cidrContains(mustParse(hole), prefix)));
}

/** Why a term needs more than XDP reads, or null. */
function unsupported(term: MatchTerm): string | null {
  if (term.except) return 'an exception (notPorts, notNets, notProtocol ...)';
  if (term.icmp) return 'an ICMP type';
  if (term.srcPorts) return 'source ports';
  return null;
}

export function buildXdpTables(rules: readonly UntrackedRule[]): XdpTablesResult {
  const terms: XdpTerm[] = [];
  const sets: (CidrSet | 'any')[] = [];
  for (const rule of rules) {
    for (const term of rule.terms) {
      const why = unsupported(term);
      if (why)
        return {
          ok: false,
          code: 'UNTRACKED_RULE_UNSUPPORTED',
          message: `${rule.policyId} untracked rule ${rule.ruleIndex} matches on ${why}, which XDP does not check`,
        };
      const protocol = term.protocolNumber ?? (term.protocol === 'any' ? null : PROTOCOL_NUMBERS[term.protocol]);
      terms.push({
        slot: rule.slot,
        protocol,
        ...(term.ipVersion !== undefined && { ipVersion: term.ipVersion }),
        ports: term.ports === 'any' ? null : term.ports,
      });
      sets.push(term.remote);
    }
  }
  if (terms.length > XDP_MAX_TERMS) {
    return {
      ok: false,
      code: 'COMPILE_LIMIT',
      message: `${terms.length} untracked match terms on one interface; at most ${XDP_MAX_TERMS} (one bit each in the trie value)`,
    };
  }
  let anyMask = 0n;
  const prefixes = new Map<string, ParsedCidr>();
  sets.forEach((set, i) => {
    if (set === 'any') anyMask |= 1n << BigInt(i);
    else for (const block of set) for (const text of [block.cidr, ...block.except]) prefixes.set(text, mustParse(text));
  });
  const entries = [...prefixes.values()].map((prefix): XdpTrieEntry => {
    let mask = 0n;
    sets.forEach((set, i) => {
      if (set !== 'any' && holds(set, prefix)) mask |= 1n << BigInt(i);
    });
    return { family: prefix.family, prefix: prefix.prefix, addr: prefix.bytes, mask };
  });
  return { ok: true, tables: { terms, anyMask, entries } };
}
