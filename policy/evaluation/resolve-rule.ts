// One IR rule as match terms over what a packet carries. Semantics (NetworkPolicy API reference,
// k8s.io/api networking/v1 types.go, as the upstream conformance suite checks them):
// - peers are ORed; no peers = any remote; an endpoint peer is the addresses of the pods it selects
//   now (their /32 and /128), an ipBlock its range minus its holes;
// - ports are ORed; no ports = any protocol and port; a port without a number = every port of
//   its protocol;
// - a named port is looked up on the destination of the traffic: for ingress the endpoint itself,
//   for egress each remote endpoint, so an egress rule yields (address, port) terms per
//   destination. A name (with its protocol) that no destination declares matches nothing.
//
// The optional IR conditions (policy/ir.ts Rule; Calico's rule fields):
// - `networkSets: true` on an endpoints peer: network sets match like endpoints (namespaced ones by
//   their namespace's labels, global ones with the namespace labels {}), contributing their nets;
//   `nets` on an endpoints peer keeps only the addresses inside one of its CIDRs;
// - `protocolNumber`, `ipVersion`, `icmp`, `srcPorts` become conditions of every term (a source
//   port name is looked up on the source of the traffic: the remote endpoints for ingress, the
//   endpoint itself for egress);
// - `notPeers`, `notPorts`, `notSrcPorts`, `notProtocol(Number)`, `notICMP` become the terms' `except`
//   list: the rule matches only when none of them does;
// - `localPeers`, `notLocalPeers` are judged for the protected endpoint itself (localRuleFamilies):
//   the rule applies to it, to one address family of it, or not at all;
// - `nodes` adds the addresses of the inventory's nodes its selectors match to the remote set
//   (with `nodes` present, an empty `peers` adds nothing); `serviceAccounts` in an endpoint match
//   is judged on the inventory's service account of each pod (inventory-index.ts);
// - a `service` peer is the addresses of the Service's EndpointSlices in the inventory (none while
//   the inventory holds no such Service). With `endpointPorts` it yields its own terms instead of
//   joining the remote set: per slice and slice port, (protocol, port, the slice's addresses), kept
//   where the rule's own numbered port entries admit them (Calico refuses ports beside a
//   destination service, so the rule has at most a protocol) and never for a protocol number,
//   which no slice port has. That is Felix's IP-and-port set for a destination service; besides
//   it, the Service's ClusterIPs on each Service port (protocol, port), because our programs run
//   at the pod's veth before kube-proxy's DNAT, where Felix evaluates after it.
import { serviceKey } from '../inventory.ts';
import { type Direction, type EndpointMatch, type Peer, type PortMatch, PROTOCOL_NUMBERS, type Protocol, type Rule, type Selector } from '../ir.ts';
import { matches } from '../selector/match.ts';
import { cidrContains, type ParsedCidr } from '../validation/cidr.ts';
import { blockContainsAddress, type ParsedBlock, parseAddress, parseBlock, parseCidrSet, toCidrSet } from './cidr-set.ts';
import type { CidrSet, MatchTerm, PortRange } from './endpoint-policy.ts';
import { endpointMatches, type IndexedEndpoint, type IndexedNetworkSet, type IndexedServiceSlice, type InventoryIndex } from './inventory-index.ts';
import { podSelectorCandidates } from './label-index.ts';
import { mergePortRanges } from './ports.ts';
import { normaliseTerms } from './terms.ts';

type ParsedPeer =
  | { endpoints: EndpointMatch; networkSets: boolean; nets?: ParsedCidr[] }
  | { block: ParsedBlock }
  | { slices: readonly IndexedServiceSlice[]; endpointPorts: boolean };

const NO_SLICES: readonly IndexedServiceSlice[] = [];
/** Shared by the rules without destination services or notPeers (nearly all): no list of their own each. */
const NO_TERMS: readonly MatchTerm[] = [];
const NO_PEERS: readonly ParsedPeer[] = [];

function mustParseCidr(text: string): ParsedCidr {
  const [address, prefix] = text.split('/');
  const host = parseAddress(address ?? '');
  if (!host) throw new Error(`invalid CIDR ${JSON.stringify(text)}`);
  const block = parseBlock({ cidr: prefix === undefined ? `${address}/${host.prefix}` : text, except: [] });
  return block.cidr;
}

function parsePeer(peer: Peer, index: InventoryIndex): ParsedPeer {
  if ('ipBlock' in peer) return { block: parseBlock(peer.ipBlock) };
  if ('service' in peer) {
    const service = index.services.get(serviceKey(peer.service));
    if (!service) return { slices: NO_SLICES, endpointPorts: peer.endpointPorts === true };
    // Our programs see a pod's packet before kube-proxy translates the ClusterIP: a destination
    // service is also its ClusterIPs on its own ports. A source never carries a ClusterIP (replies
    // are translated back after conntrack lets them through), so a source service is its endpoints.
    if (peer.endpointPorts) return { slices: [...service.slices, service.front], endpointPorts: true };
    return { slices: service.slices, endpointPorts: false };
  }
  return { endpoints: peer.endpoints, networkSets: peer.networkSets === true, ...(peer.nets && { nets: peer.nets.map(mustParseCidr) }) };
}

function insideNets(nets: readonly ParsedCidr[] | undefined, address: ParsedCidr): boolean {
  return nets === undefined || nets.some((net) => cidrContains(net, address));
}

const sliceAddresses = (slices: readonly IndexedServiceSlice[]): ParsedCidr[] => slices.flatMap((slice) => slice.addresses);

const inSlices = (slices: readonly IndexedServiceSlice[], address: ParsedCidr): boolean =>
  slices.some((slice) => slice.addresses.some((a) => cidrContains(a, address)));

/** A destination service peer: matched on address, protocol and port together (servicePortTerms). */
const carriesPorts = (peer: ParsedPeer): peer is { slices: readonly IndexedServiceSlice[]; endpointPorts: true } => 'slices' in peer && peer.endpointPorts;

function peerAdmits(peer: ParsedPeer, endpoint: IndexedEndpoint, address: ParsedCidr): boolean {
  if ('block' in peer) return blockContainsAddress(peer.block, address);
  if ('slices' in peer) return inSlices(peer.slices, address);
  return endpointMatches(peer.endpoints, endpoint) && insideNets(peer.nets, address);
}

/** A network set's net restricted to a peer's nets: the smaller of two nested CIDRs, none when disjoint. */
function restrictNet(net: ParsedCidr, nets: readonly ParsedCidr[] | undefined): ParsedCidr[] {
  if (nets === undefined) return [net];
  return nets.flatMap((n) => (cidrContains(n, net) ? [net] : cidrContains(net, n) ? [n] : []));
}

/** The addresses one peer admits, as blocks. */
function peerBlocks(peer: ParsedPeer, index: InventoryIndex, networkSets: readonly IndexedNetworkSet[]): ParsedBlock[] {
  if ('block' in peer) return [peer.block];
  if ('slices' in peer) return sliceAddresses(peer.slices).map((cidr) => ({ cidr, except: [] }));
  const blocks: ParsedBlock[] = [];
  for (const endpoint of podSelectorCandidates(index, peer.endpoints.podSelector)) {
    if (!endpointMatches(peer.endpoints, endpoint)) continue;
    for (const cidr of endpoint.addresses) if (insideNets(peer.nets, cidr)) blocks.push({ cidr, except: [] });
  }
  if (peer.networkSets) {
    for (const set of networkSets) {
      if (!endpointMatches(peer.endpoints, set)) continue;
      for (const net of set.nets) for (const cidr of restrictNet(net, peer.nets)) blocks.push({ cidr, except: [] });
    }
  }
  return blocks;
}

/** The rule's remote set: every address some peer admits. */
function remoteOf(peers: readonly ParsedPeer[], index: InventoryIndex, networkSets: readonly IndexedNetworkSet[]): MatchTerm['remote'] {
  if (peers.length === 0) return 'any';
  // one peer (most rules): its blocks as they are, without flatMap's list
  if (peers.length === 1) return toCidrSet(peerBlocks(peers[0]!, index, networkSets));
  return toCidrSet(peers.flatMap((peer) => peerBlocks(peer, index, networkSets)));
}

/** Addresses of the nodes some selector of `nodes` matches (Rule.nodes). */
function nodeAddresses(nodes: readonly Selector[], index: InventoryIndex): ParsedCidr[] {
  return index.nodes.filter((node) => nodes.some((selector) => matches(selector, node.labels))).flatMap((node) => node.addresses);
}

/**
 * A rule's remote set with its `nodes` peers: node addresses ORed with the peers' addresses; with
 * `nodes` present an empty `peers` adds nothing.
 */
function ruleRemote(rule: Rule, peers: readonly ParsedPeer[], index: InventoryIndex, networkSets: readonly IndexedNetworkSet[]): MatchTerm['remote'] {
  if (!rule.nodes) return remoteOf(peers, index, networkSets);
  const blocks = peers.flatMap((peer) => peerBlocks(peer, index, networkSets));
  for (const cidr of nodeAddresses(rule.nodes, index)) blocks.push({ cidr, except: [] });
  return toCidrSet(blocks);
}

/** Intersection of two blocks: the inner range with the holes of both (normalisation drops the irrelevant ones). */
function intersectBlocks(a: ParsedBlock, b: ParsedBlock): ParsedBlock | null {
  if (cidrContains(a.cidr, b.cidr)) return { cidr: b.cidr, except: [...b.except, ...a.except] };
  if (cidrContains(b.cidr, a.cidr)) return { cidr: a.cidr, except: [...a.except, ...b.except] };
  return null;
}

export function intersectRemotes(a: MatchTerm['remote'], b: MatchTerm['remote']): MatchTerm['remote'] {
  if (a === 'any') return b;
  if (b === 'any') return a;
  const left = parseCidrSet(a);
  const right = parseCidrSet(b);
  return toCidrSet(left.flatMap((x) => right.flatMap((y) => intersectBlocks(x, y) ?? [])));
}

const hostSet = (addresses: readonly ParsedCidr[]): CidrSet => toCidrSet(addresses.map((cidr) => ({ cidr, except: [] })));

/** Whether a numbered (or number-less) port entry of the rule admits `protocol`/`port`. */
const portEntryAdmits = (entry: PortMatch, protocol: Protocol, port: number): boolean =>
  entry.name === undefined && entry.protocol === protocol && (entry.port === undefined || (entry.port <= port && port <= (entry.endPort ?? entry.port)));

/** The terms of destination service peers: each slice's ports to the slice's addresses, within the rule's ports. */
function servicePortTerms(rule: Rule, peers: readonly ParsedPeer[]): readonly MatchTerm[] {
  if (rule.protocolNumber !== undefined || !peers.some(carriesPorts)) return NO_TERMS;
  const terms: MatchTerm[] = [];
  for (const peer of peers) {
    if (!carriesPorts(peer)) continue;
    for (const slice of peer.slices) {
      if (slice.addresses.length === 0) continue;
      const remote = hostSet(slice.addresses);
      for (const { protocol, port } of slice.ports) {
        if (rule.ports.length > 0 && !rule.ports.some((entry) => portEntryAdmits(entry, protocol, port))) continue;
        terms.push({ protocol, ports: [{ first: port, last: port }], remote });
      }
    }
  }
  return terms;
}

/** Terms of the port entries that carry a number or nothing: they do not depend on any endpoint. */
function numberedTerms(ports: readonly PortMatch[], remote: MatchTerm['remote']): MatchTerm[] {
  if (ports.length === 0) return [{ protocol: 'any', ports: 'any', remote }];
  const terms: MatchTerm[] = [];
  for (const p of ports) {
    if (p.name !== undefined) continue;
    terms.push({ protocol: p.protocol, ports: p.port === undefined ? 'any' : [{ first: p.port, last: p.endPort ?? p.port }], remote });
  }
  return terms;
}

/** The numbers `endpoint` declares under `name` for `protocol` (a name means nothing for another protocol). */
function namedPortNumbers(endpoint: IndexedEndpoint, port: PortMatch): number[] {
  return endpoint.endpoint.ports.filter((p) => p.name === port.name && p.protocol === port.protocol).map((p) => p.port);
}

/**
 * A port list resolved into (protocol, ranges, addresses of the endpoint that declares the port)
 * alternatives. `owner` says which end carries the ports: 'target' (the endpoint itself: ranges
 * hold for every remote) or 'remote' (each remote endpoint's own numbers, for its own addresses).
 * A numbered entry holds for every remote.
 */
interface PortAlternative {
  protocol: Protocol;
  ranges: PortRange[] | 'any';
  remote: MatchTerm['remote'];
}

function portAlternatives(
  ports: readonly PortMatch[],
  owner: 'target' | 'remote',
  target: IndexedEndpoint,
  index: InventoryIndex,
  admits: (endpoint: IndexedEndpoint, address: ParsedCidr) => boolean = () => true,
): PortAlternative[] {
  const out: PortAlternative[] = [];
  for (const p of ports) {
    if (p.name === undefined) {
      out.push({ protocol: p.protocol, ranges: p.port === undefined ? 'any' : [{ first: p.port, last: p.endPort ?? p.port }], remote: 'any' });
      continue;
    }
    if (owner === 'target') {
      for (const n of namedPortNumbers(target, p)) out.push({ protocol: p.protocol, ranges: [{ first: n, last: n }], remote: 'any' });
      continue;
    }
    for (const endpoint of index.endpoints) {
      const numbers = namedPortNumbers(endpoint, p);
      if (numbers.length === 0) continue;
      const addresses = endpoint.addresses.filter((address) => admits(endpoint, address));
      for (const n of numbers) out.push({ protocol: p.protocol, ranges: [{ first: n, last: n }], remote: hostSet(addresses) });
    }
  }
  return out;
}

/** The destination-port terms, as before the optional features. */
function destinationTerms(
  rule: Rule,
  direction: Direction,
  peers: readonly ParsedPeer[],
  remote: MatchTerm['remote'],
  target: IndexedEndpoint,
  index: InventoryIndex,
): MatchTerm[] {
  const named = rule.ports.filter((p) => p.name !== undefined);
  if (named.length === 0) return numberedTerms(rule.ports, remote);
  const nodes = rule.nodes ? nodeAddresses(rule.nodes, index) : [];
  const admits = (endpoint: IndexedEndpoint, address: ParsedCidr) =>
    (peers.length === 0 && !rule.nodes) || peers.some((peer) => peerAdmits(peer, endpoint, address)) || nodes.some((node) => cidrContains(node, address));
  const namedTerms = portAlternatives(named, direction === 'ingress' ? 'target' : 'remote', target, index, admits).map(
    (alt): MatchTerm => ({ protocol: alt.protocol, ports: alt.ranges, remote: intersectRemotes(remote, alt.remote) }),
  );
  return [...numberedTerms(rule.ports, remote), ...namedTerms];
}

const PROTOCOL_BY_NUMBER = new Map(Object.entries(PROTOCOL_NUMBERS).map(([name, n]) => [n, name as Protocol]));

/** A protocol given by number as the IR's name when it has one. */
function protocolCondition(n: number): Pick<MatchTerm, 'protocol' | 'protocolNumber'> {
  const name = PROTOCOL_BY_NUMBER.get(n);
  return name ? { protocol: name } : { protocol: 'any', protocolNumber: n };
}

/** Positive ICMP condition on one term: the term's protocol must be ICMP/ICMPv6, or any (then both, each with its IP version). */
function withIcmp(term: MatchTerm, icmp: NonNullable<Rule['icmp']>, ipVersion: 4 | 6 | undefined): MatchTerm[] {
  if (term.protocolNumber !== undefined) return [];
  if (term.protocol === 'ICMP' || term.protocol === 'ICMPv6') return [{ ...term, icmp }];
  if (term.protocol !== 'any') return [];
  return [
    { ...term, protocol: 'ICMP' as const, ipVersion: 4 as const, icmp },
    { ...term, protocol: 'ICMPv6' as const, ipVersion: 6 as const, icmp },
  ].filter((t) => ipVersion === undefined || t.ipVersion === ipVersion);
}

/** Source-port condition on one term: the protocols must agree and the remotes intersect. */
function withSourcePorts(term: MatchTerm, alt: PortAlternative): MatchTerm | null {
  if (term.protocolNumber !== undefined) return null;
  if (term.protocol !== 'any' && term.protocol !== alt.protocol) return null;
  const protocol = alt.protocol;
  // ports of a term belong to its protocol: a term of any protocol had no destination ports
  const combined: MatchTerm = { ...term, protocol, remote: intersectRemotes(term.remote, alt.remote) };
  if (alt.ranges !== 'any') combined.srcPorts = term.srcPorts ? intersectRanges(term.srcPorts, alt.ranges) : mergePortRanges(alt.ranges);
  return combined;
}

function intersectRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  for (const x of a)
    for (const y of b) {
      const first = Math.max(x.first, y.first);
      const last = Math.min(x.last, y.last);
      if (first <= last) out.push({ first, last });
    }
  return mergePortRanges(out);
}

/** The except terms of a rule (conditions the packet must not meet). */
function exceptTerms(
  rule: Rule,
  direction: Direction,
  target: IndexedEndpoint,
  index: InventoryIndex,
  notPeersRemote: MatchTerm['remote'] | null,
): MatchTerm[] {
  const except: MatchTerm[] = [];
  if (notPeersRemote !== null) except.push({ protocol: 'any', ports: 'any', remote: notPeersRemote });
  if (rule.notPorts) {
    for (const alt of portAlternatives(rule.notPorts, direction === 'ingress' ? 'target' : 'remote', target, index)) {
      except.push({ protocol: alt.protocol, ports: alt.ranges, remote: alt.remote });
    }
  }
  if (rule.notSrcPorts) {
    for (const alt of portAlternatives(rule.notSrcPorts, direction === 'ingress' ? 'remote' : 'target', target, index)) {
      except.push({ protocol: alt.protocol, ports: 'any', remote: alt.remote, ...(alt.ranges !== 'any' && { srcPorts: mergePortRanges(alt.ranges) }) });
    }
  }
  if (rule.notProtocol) except.push({ protocol: rule.notProtocol, ports: 'any', remote: 'any' });
  if (rule.notProtocolNumber !== undefined) except.push({ ...protocolCondition(rule.notProtocolNumber), ports: 'any', remote: 'any' });
  if (rule.notICMP) {
    except.push(
      { protocol: 'ICMP', ports: 'any', remote: 'any', ipVersion: 4, icmp: rule.notICMP },
      { protocol: 'ICMPv6', ports: 'any', remote: 'any', ipVersion: 6, icmp: rule.notICMP },
    );
  }
  return except;
}

/** Whether a rule's terms depend on the target endpoint (through the port names it declares). */
function dependsOnTarget(rule: Rule, direction: Direction): boolean {
  return direction === 'ingress' ? namesPorts(rule.ports) || namesPorts(rule.notPorts) : namesPorts(rule.srcPorts) || namesPorts(rule.notSrcPorts);
}

const namesPorts = (list: readonly PortMatch[] | undefined): boolean => list?.some((p) => p.name !== undefined) === true;

/**
 * Whether a rule can resolve to different terms for different endpoints: through port names looked
 * up on the endpoint itself, or local peers judged on it. Every other rule resolves alike for all
 * the endpoints its policy selects (the resolver below keys its results the same way).
 */
export function ruleVariesByTarget(rule: Rule, direction: Direction): boolean {
  return Boolean(rule.localPeers || rule.notLocalPeers) || dependsOnTarget(rule, direction);
}

/** The address families for which a local peer admits the endpoint (labels, and its own addresses for CIDRs). */
function localFamilies(peer: ParsedPeer, target: IndexedEndpoint): Set<4 | 6> {
  if ('block' in peer) return new Set(target.addresses.filter((a) => blockContainsAddress(peer.block, a)).map((a) => a.family));
  if ('slices' in peer) return new Set(target.addresses.filter((a) => inSlices(peer.slices, a)).map((a) => a.family));
  if (!endpointMatches(peer.endpoints, target)) return new Set();
  if (peer.nets === undefined) return new Set([4, 6]);
  return new Set(target.addresses.filter((a) => insideNets(peer.nets, a)).map((a) => a.family));
}

/**
 * localPeers / notLocalPeers judged statically for the endpoint the program protects: the families
 * of packets the rule still applies to ([4, 6] when it has neither). A label condition holds or
 * not for the endpoint; an address condition is judged per family on the endpoint's own address
 * of that family (the packet's local address, which is the pod's: a pod has one per family).
 */
export function localRuleFamilies(rule: Rule, target: IndexedEndpoint, index: InventoryIndex): (4 | 6)[] {
  const union = (peers: readonly Peer[]) => new Set(peers.flatMap((p) => [...localFamilies(parsePeer(p, index), target)]));
  const admitted = rule.localPeers ? union(rule.localPeers) : new Set<4 | 6>([4, 6]);
  const excluded = rule.notLocalPeers ? union(rule.notLocalPeers) : new Set<4 | 6>();
  return ([4, 6] as const).filter((f) => admitted.has(f) && !excluded.has(f));
}

/** Terms restricted to the given families (no restriction for both). */
function restrictFamilies(terms: readonly MatchTerm[], families: readonly (4 | 6)[]): readonly MatchTerm[] {
  if (families.length === 2) return terms;
  if (families.length === 0) return [];
  const family = families[0]!;
  return terms.flatMap((t) => (t.ipVersion === undefined ? [{ ...t, ipVersion: family }] : t.ipVersion === family ? [t] : []));
}

const BOTH_FAMILIES: readonly (4 | 6)[] = [4, 6];

export type RuleResolver = (rule: Rule, direction: Direction, target: IndexedEndpoint) => MatchTerm[];

/**
 * A resolver for one inventory (and the policy set's network sets). A rule's peers resolve the
 * same for every endpoint its policy selects, and so does everything but named ports: those
 * results are kept per rule, and per the target's declared ports when a name is involved.
 * Returned terms are shared between endpoints; treat them as read-only.
 */
export function createRuleResolver(index: InventoryIndex, networkSets: readonly IndexedNetworkSet[] = []): RuleResolver {
  /**
   * Per rule: its peers other than destination services (`peers`) and their remote set (`remote`,
   * null when the rule's peers are all destination services, whose terms are `serviceTerms`).
   */
  const shared = new WeakMap<
    Rule,
    { peers: readonly ParsedPeer[]; remote: MatchTerm['remote'] | null; serviceTerms: readonly MatchTerm[]; notRemote: MatchTerm['remote'] | null }
  >();
  const results = new WeakMap<Rule, Map<string, MatchTerm[]>>();

  const sharedOf = (rule: Rule) => {
    let entry = shared.get(rule);
    if (!entry) {
      const parsed = rule.peers.map((peer) => parsePeer(peer, index));
      const peers = parsed.some(carriesPorts) ? parsed.filter((peer) => !carriesPorts(peer)) : parsed;
      const onlyServices = peers.length === 0 && parsed.length > 0 && !rule.nodes;
      const remote = onlyServices ? null : ruleRemote(rule, peers, index, networkSets);
      const notPeers = rule.notPeers?.length ? rule.notPeers.map((peer) => parsePeer(peer, index)) : NO_PEERS;
      const notRemote = notPeers.length === 0 ? null : remoteOf(notPeers, index, networkSets);
      entry = { peers, remote, serviceTerms: servicePortTerms(rule, parsed), notRemote };
      shared.set(rule, entry);
    }
    return entry;
  };

  const compute = (rule: Rule, direction: Direction, target: IndexedEndpoint, families: readonly (4 | 6)[]): MatchTerm[] => {
    const { peers, remote, serviceTerms, notRemote } = sharedOf(rule);
    const destination = remote === null ? NO_TERMS : destinationTerms(rule, direction, peers, remote, target, index);
    let terms: readonly MatchTerm[] = serviceTerms.length === 0 ? destination : [...destination, ...serviceTerms];
    if (rule.protocolNumber !== undefined) {
      const condition = protocolCondition(rule.protocolNumber);
      // `ports` is empty with a protocol number: the terms are of any protocol
      terms = terms.map((t) => ({ ...t, ...condition }));
    }
    if (rule.ipVersion !== undefined) terms = terms.map((t) => ({ ...t, ipVersion: rule.ipVersion }));
    if (rule.icmp) terms = terms.flatMap((t) => withIcmp(t, rule.icmp!, rule.ipVersion));
    if (rule.srcPorts) {
      const alternatives = portAlternatives(rule.srcPorts, direction === 'ingress' ? 'remote' : 'target', target, index);
      terms = terms.flatMap((t) => alternatives.flatMap((alt) => withSourcePorts(t, alt) ?? []));
    }
    terms = restrictFamilies(terms, families);
    const except = exceptTerms(rule, direction, target, index, notRemote);
    if (except.length > 0) terms = terms.map((t) => ({ ...t, except }));
    return normaliseTerms(terms);
  };

  /**
   * Per direction, the terms of the rules that resolve alike for every target (no local peers, no
   * port names looked up on the target: nearly all), without a signature: a text and a Map per rule
   * were 10,000 of each kept alive through a 10,000-rule apply.
   */
  const invariant = { ingress: new WeakMap<Rule, MatchTerm[]>(), egress: new WeakMap<Rule, MatchTerm[]>() };

  return (rule, direction, target) => {
    const local = Boolean(rule.localPeers || rule.notLocalPeers);
    const dependent = dependsOnTarget(rule, direction);
    if (!local && !dependent) {
      let terms = invariant[direction].get(rule);
      if (!terms) {
        terms = compute(rule, direction, target, BOTH_FAMILIES);
        invariant[direction].set(rule, terms);
      }
      return terms;
    }
    const families = local ? localRuleFamilies(rule, target, index) : BOTH_FAMILIES;
    const signature = `${direction} ${families.join(',')}${dependent ? ` ${JSON.stringify(target.endpoint.ports)}` : ''}`;
    let bySignature = results.get(rule);
    if (!bySignature) {
      bySignature = new Map();
      results.set(rule, bySignature);
    }
    let terms = bySignature.get(signature);
    if (!terms) {
      terms = compute(rule, direction, target, families);
      bySignature.set(signature, terms);
    }
    return terms;
  };
}
