// One IR rule as match terms over what a packet carries. Semantics (NetworkPolicy API reference,
// k8s.io/api networking/v1 types.go, as the upstream conformance suite checks them):
// - peers are ORed; no peers = any remote; an endpoint peer is the addresses of the pods it selects
//   now (their /32 and /128), an ipBlock its range minus its holes;
// - ports are ORed; no ports = any protocol and port; a port without a number = every port of
//   its protocol;
// - a named port is looked up on the destination of the traffic: for ingress the endpoint itself,
//   for egress each remote endpoint, so an egress rule yields (address, port) terms per
//   destination. A name (with its protocol) that no destination declares matches nothing.
import type { Direction, EndpointMatch, Peer, PortMatch, Rule } from '../ir.ts';
import type { ParsedCidr } from '../validation/cidr.ts';
import { blockContainsAddress, parseBlock, toCidrSet, type ParsedBlock } from './cidr-set.ts';
import type { CidrSet, MatchTerm } from './endpoint-policy.ts';
import { endpointMatches, type IndexedEndpoint, type InventoryIndex } from './inventory-index.ts';
import { normaliseTerms } from './terms.ts';

type ParsedPeer = { endpoints: EndpointMatch } | { block: ParsedBlock };

function parsePeer(peer: Peer): ParsedPeer {
  return 'endpoints' in peer ? { endpoints: peer.endpoints } : { block: parseBlock(peer.ipBlock) };
}

function peerAdmits(peer: ParsedPeer, endpoint: IndexedEndpoint, address: ParsedCidr): boolean {
  return 'endpoints' in peer ? endpointMatches(peer.endpoints, endpoint) : blockContainsAddress(peer.block, address);
}

/** The rule's remote set: every address some peer admits. */
function remoteOf(peers: readonly ParsedPeer[], index: InventoryIndex): MatchTerm['remote'] {
  if (peers.length === 0) return 'any';
  const blocks: ParsedBlock[] = [];
  for (const peer of peers) {
    if ('block' in peer) {
      blocks.push(peer.block);
      continue;
    }
    for (const endpoint of index.endpoints) {
      if (!endpointMatches(peer.endpoints, endpoint)) continue;
      for (const cidr of endpoint.addresses) blocks.push({ cidr, except: [] });
    }
  }
  return toCidrSet(blocks);
}

/** Terms of the port entries that carry a number or nothing: they do not depend on any endpoint. */
function numberedTerms(ports: readonly PortMatch[], remote: MatchTerm['remote']): MatchTerm[] {
  if (ports.length === 0) return [{ protocol: 'any', ports: 'any', remote }];
  return ports
    .filter((p) => p.name === undefined)
    .map((p): MatchTerm => ({
      protocol: p.protocol,
      ports: p.port === undefined ? 'any' : [{ first: p.port, last: p.endPort ?? p.port }],
      remote,
    }));
}

/** The numbers `endpoint` declares under `name` for `protocol` (a name means nothing for another protocol). */
function namedPortNumbers(endpoint: IndexedEndpoint, port: PortMatch): number[] {
  return endpoint.endpoint.ports.filter((p) => p.name === port.name && p.protocol === port.protocol).map((p) => p.port);
}

/** Ingress: the destination is the endpoint itself, so a name becomes its port numbers there. */
function ingressNamedTerms(ports: readonly PortMatch[], remote: MatchTerm['remote'], target: IndexedEndpoint): MatchTerm[] {
  return ports
    .filter((p) => p.name !== undefined)
    .flatMap((p) => namedPortNumbers(target, p).map((n): MatchTerm => ({ protocol: p.protocol, ports: [{ first: n, last: n }], remote })));
}

/** Egress: each destination endpoint the peers admit contributes its own addresses on its own port number. */
function egressNamedTerms(ports: readonly PortMatch[], peers: readonly ParsedPeer[], index: InventoryIndex): MatchTerm[] {
  const terms: MatchTerm[] = [];
  for (const port of ports.filter((p) => p.name !== undefined)) {
    for (const destination of index.endpoints) {
      const numbers = namedPortNumbers(destination, port);
      if (numbers.length === 0) continue;
      const admitted = destination.addresses.filter(
        (address) => peers.length === 0 || peers.some((peer) => peerAdmits(peer, destination, address)),
      );
      const remote: CidrSet = toCidrSet(admitted.map((cidr) => ({ cidr, except: [] })));
      for (const n of numbers) terms.push({ protocol: port.protocol, ports: [{ first: n, last: n }], remote });
    }
  }
  return terms;
}

export type RuleResolver = (rule: Rule, direction: Direction, target: IndexedEndpoint) => MatchTerm[];

/**
 * A resolver for one inventory. A rule's peers resolve the same for every endpoint its policy
 * selects, and so does everything but an ingress named port: those results are kept per rule.
 * Returned terms are shared between endpoints; treat them as read-only.
 */
export function createRuleResolver(index: InventoryIndex): RuleResolver {
  const shared = new WeakMap<Rule, { peers: ParsedPeer[]; remote: MatchTerm['remote']; numbered: MatchTerm[] }>();
  const egress = new WeakMap<Rule, MatchTerm[]>();
  // Ingress results depend on the target only through the numbers its named ports resolve to.
  const ingress = new WeakMap<Rule, Map<string, MatchTerm[]>>();

  const sharedOf = (rule: Rule) => {
    let entry = shared.get(rule);
    if (!entry) {
      const peers = rule.peers.map(parsePeer);
      const remote = remoteOf(peers, index);
      entry = { peers, remote, numbered: numberedTerms(rule.ports, remote) };
      shared.set(rule, entry);
    }
    return entry;
  };

  return (rule, direction, target) => {
    const { peers, remote, numbered } = sharedOf(rule);
    if (direction === 'egress') {
      let terms = egress.get(rule);
      if (!terms) {
        terms = normaliseTerms([...numbered, ...egressNamedTerms(rule.ports, peers, index)]);
        egress.set(rule, terms);
      }
      return terms;
    }
    const named = ingressNamedTerms(rule.ports, remote, target);
    const signature = JSON.stringify(named.map((t) => [t.protocol, t.ports]));
    let bySignature = ingress.get(rule);
    if (!bySignature) {
      bySignature = new Map();
      ingress.set(rule, bySignature);
    }
    let terms = bySignature.get(signature);
    if (!terms) {
      terms = normaliseTerms([...numbered, ...named]);
      bySignature.set(signature, terms);
    }
    return terms;
  };
}
