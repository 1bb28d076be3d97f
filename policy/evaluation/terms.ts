// A rule's match terms in canonical form. Terms are ORed, so their order and grouping carry no
// meaning: merging those that differ in one field only and sorting the rest gives equal rules equal
// terms (hence equal hashes) and the dataplane fewer checks.
import { canonicalJson } from '../bundle/canonical-json.ts';
import { cidrSetText, unionCidrSets } from './cidr-set.ts';
import type { CidrSet, MatchTerm, PortRange } from './endpoint-policy.ts';
import { mergePortRanges } from './ports.ts';

/** A grouping key only (never hashed or stored), so it need not be JSON. */
function portsKey(ports: MatchTerm['ports']): string {
  if (ports === 'any') return 'any';
  let key = '';
  for (const r of ports) key += `${r.first}-${r.last},`;
  return key;
}

function remoteKey(remote: MatchTerm['remote']): string {
  return remote === 'any' ? 'any' : `set ${cidrSetText(remote)}`;
}

function unionRemotes(remotes: readonly MatchTerm['remote'][]): MatchTerm['remote'] {
  if (remotes.length === 1) return remotes[0]!; // canonical already
  if (remotes.includes('any')) return 'any';
  return unionCidrSets(remotes as CidrSet[]);
}

function unionPorts(ports: readonly MatchTerm['ports'][]): MatchTerm['ports'] {
  if (ports.includes('any')) return 'any';
  return mergePortRanges((ports as PortRange[][]).flat());
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** 'any' first, then numerically by ranges. */
function comparePorts(a: MatchTerm['ports'], b: MatchTerm['ports']): number {
  if (a === 'any' || b === 'any') return (a === 'any' ? 0 : 1) - (b === 'any' ? 0 : 1);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = a[i]!.first - b[i]!.first || a[i]!.last - b[i]!.last;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** The optional conditions of a term as one string ('' when it has none); excepts by their remote text. */
export function extrasKey(term: MatchTerm): string {
  // the common case, checked field by field: no optional condition at all
  if (term.protocolNumber === undefined && term.ipVersion === undefined && !term.icmp && !term.srcPorts && !term.except) return '';
  const { protocol: _p, ports: _q, remote: _r, except, ...rest } = term;
  const extras = { ...rest, ...(except && { except: except.map((e) => [extrasKey(e), e.protocol, portsKey(e.ports), remoteKey(e.remote)]) }) };
  return Object.keys(extras).length === 0 ? '' : canonicalJson(extras);
}

interface KeyedTerm {
  term: MatchTerm;
  remote: string;
  extras: string;
}

/** By protocol, then ports, then addresses, then the optional conditions: any fixed order would do; this one reads well in dumps. */
function compareTerms(a: KeyedTerm, b: KeyedTerm): number {
  return (
    compareText(a.term.protocol, b.term.protocol) ||
    comparePorts(a.term.ports, b.term.ports) ||
    compareText(a.remote, b.remote) ||
    compareText(a.extras, b.extras)
  );
}

/** Sorted by compareTerms, each term's keys computed once rather than per comparison. */
function sortTerms(terms: readonly MatchTerm[]): MatchTerm[] {
  if (terms.length < 2) return [...terms];
  return terms
    .map((term) => ({ term, remote: remoteKey(term.remote), extras: extrasKey(term) }))
    .sort(compareTerms)
    .map((keyed) => keyed.term);
}

/** A term that needs no protocol, port, address or other condition matches every packet a sibling term could. */
export function isMatchAll(term: MatchTerm): boolean {
  return term.protocol === 'any' && term.ports === 'any' && term.remote === 'any' && extrasKey(term) === '';
}

const isEmptyRemote = (t: MatchTerm) => t.remote !== 'any' && t.remote.length === 0;

/**
 * A term's except list in canonical form: excepts that match nothing dropped, the rest normalised
 * (they are ORed like terms). Null when an except matches every packet (the term matches nothing).
 */
function normaliseExcept(term: MatchTerm): MatchTerm | null {
  if (!term.except) return term;
  const { except, ...rest } = term;
  const live = except.filter((e) => !isEmptyRemote(e)).map(({ except: _nested, ...e }) => e);
  if (live.length === 0) return rest;
  const merged = normaliseTerms(live);
  if (merged.some(isMatchAll)) return null;
  return { ...rest, except: merged };
}

/** Ports already in canonical form as they are: any, or one range (mergePortRanges would copy it unchanged). */
const portsCanonical = (ports: MatchTerm['ports']): boolean => ports === 'any' || ports.length === 1;

export function normaliseTerms(terms: readonly MatchTerm[]): MatchTerm[] {
  // One term without excepts whose ports need no merging (a rule with one peer and one port entry,
  // most rules): the term itself, without the lists and the copy of the general way below.
  if (terms.length === 1 && !terms[0]!.except && portsCanonical(terms[0]!.ports)) {
    const [term] = terms as [MatchTerm];
    if (isEmptyRemote(term)) return [];
    return isMatchAll(term) ? [{ protocol: 'any', ports: 'any', remote: 'any' }] : [term];
  }
  // A term whose remote set is empty matches no packet.
  const live = terms.filter((t) => !isEmptyRemote(t)).flatMap((t) => normaliseExcept(t) ?? []);
  if (live.some(isMatchAll)) return [{ protocol: 'any', ports: 'any', remote: 'any' }];
  // One term (a rule with one peer and one port entry, most rules): nothing to merge or sort, and
  // the two groupings below would give it back with its ports merged. Written out, since 10,000
  // such rules paid for two Maps and their keys each.
  if (live.length === 1) {
    const [term] = live as [MatchTerm];
    return [{ ...term, ports: unionPorts([term.ports]) }];
  }

  // Same protocol and ports: one term for the union of the addresses (per-destination named ports
  // resolving to the same port become one set).
  const byPorts = groupBy(live, (t) => `${t.protocol} ${portsKey(t.ports)} ${extrasKey(t)}`).map(
    (group): MatchTerm => ({
      ...group[0]!,
      ports: group[0]!.ports,
      remote: unionRemotes(group.map((t) => t.remote)),
    }),
  );
  // Same protocol and addresses: one term for the union of the ports (80, 81 -> 80-81).
  const byRemote = groupBy(byPorts, (t) => `${t.protocol} ${remoteKey(t.remote)} ${extrasKey(t)}`).map(
    (group): MatchTerm => ({
      ...group[0]!,
      ports: unionPorts(group.map((t) => t.ports)),
      remote: group[0]!.remote,
    }),
  );
  return sortTerms(byRemote);
}
