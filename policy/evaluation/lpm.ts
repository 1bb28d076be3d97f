// A remote address set as longest-prefix-match entries, the form an LPM trie map holds: each entry
// says whether addresses whose longest matching entry it is belong to the set; an address matching
// no entry does not.
//
// Why this is exact: CIDRs nest or are disjoint, so the listed prefixes containing an address are
// exactly the listed prefixes containing its longest match p. Membership (in some block's cidr and
// in none of that block's holes) is therefore the same for every address whose longest match is p,
// and can be computed once from p itself.
import { cidrContains, formatCidr, type ParsedCidr } from '../validation/cidr.ts';
import { compareCidr, parseCidrSet } from './cidr-set.ts';
import type { CidrSet } from './endpoint-policy.ts';

export interface LpmEntry {
  family: 4 | 6;
  cidr: string;
  member: boolean;
}

/** An LpmEntry with its prefix parsed (shared: callers must not modify it). */
export interface ParsedLpmEntry {
  cidr: ParsedCidr;
  member: boolean;
}

/** Entries sorted by family, address, prefix; none redundant with its nearest enclosing entry. */
export function toLpmEntries(set: CidrSet): LpmEntry[] {
  return lpmPrefixes(set).map((e) => ({ family: e.cidr.family, cidr: formatCidr(e.cidr), member: e.member }));
}

/** toLpmEntries with the prefixes parsed, for callers that go on to encode them (the classifier). */
export function lpmPrefixes(set: CidrSet): ParsedLpmEntry[] {
  const blocks = parseCidrSet(set);
  // one block without holes (a rule naming one address): its prefix, a member
  if (blocks.length === 1 && blocks[0]!.except.length === 0) return [{ cidr: blocks[0]!.cidr, member: true }];
  const prefixes = blocks.flatMap((b) => [b.cidr, ...b.except]).sort(compareCidr);
  const unique = prefixes.filter((p, i) => i === 0 || compareCidr(p, prefixes[i - 1]!) !== 0);
  const member = unique.map((p) => blocks.some((b) => cidrContains(b.cidr, p) && !b.except.some((e) => cidrContains(e, p))));

  const entries: ParsedLpmEntry[] = [];
  // Nearest enclosing prefix: the stack of open ranges, as in normaliseBlocks (containers sort first).
  const open: number[] = [];
  unique.forEach((p, i) => {
    while (open.length > 0 && !cidrContains(unique[open[open.length - 1]!]!, p)) open.pop();
    const parent = open[open.length - 1];
    // Same answer as the enclosing entry (or "not a member" with none): the entry changes nothing.
    const inherited = parent === undefined ? false : member[parent];
    if (member[i] !== inherited) entries.push({ cidr: p, member: member[i]! });
    open.push(i);
  });
  return entries;
}
