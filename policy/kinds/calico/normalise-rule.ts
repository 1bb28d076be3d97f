// A Calico rule in the IR. Which end is remote depends on the direction: an ingress rule's `source`
// is the remote end and its `destination` the endpoint the policy protects; an egress rule the other
// way round. Destination ports are always the IR's `ports` (the packet's destination port), source
// ports its `srcPorts`. The rule's protocol is carried by each port entry; a protocol without ports
// becomes one entry with no port, and a protocol the IR has no name for (UDPLite, 47) becomes
// `protocolNumber` (Calico allows ports only with TCP, UDP and SCTP, so no ports come with it).
import type { Direction, IcmpMatch, PortMatch, Protocol, Rule } from '../../ir.ts';
import type { CalicoIcmp } from './icmp.ts';
import { entityPeers } from './normalise-entity.ts';
import { type CalicoPort, parseCalicoPort } from './ports.ts';
import { irProtocol } from './protocol.ts';
import type { CalicoRule } from './rule.ts';

function portMatch(protocol: Protocol, port: CalicoPort): PortMatch {
  const parsed = parseCalicoPort(port);
  if (!parsed.ok) throw new Error(`invariant: port ${JSON.stringify(port)} passed validation but does not parse`);
  if ('name' in parsed.port) return { protocol, name: parsed.port.name };
  const { first, last } = parsed.port;
  return first === last ? { protocol, port: first } : { protocol, port: first, endPort: last };
}

/** `icmp: {}` names no type, so it adds no condition. */
function icmpMatch(icmp: CalicoIcmp | undefined): IcmpMatch | undefined {
  if (icmp?.type === undefined) return undefined;
  return icmp.code === undefined ? { type: icmp.type } : { type: icmp.type, code: icmp.code };
}

/** `namespace` is the policy's namespace, null for a GlobalNetworkPolicy. */
export function normaliseCalicoRule(rule: CalicoRule, direction: Direction, namespace: string | null): Rule {
  const remote = direction === 'ingress' ? rule.source : rule.destination;
  const local = direction === 'ingress' ? rule.destination : rule.source;
  const protocol = rule.protocol === undefined ? undefined : irProtocol(rule.protocol);
  const protocolName = protocol && 'name' in protocol ? protocol.name : undefined;
  const portsOf = (ports: readonly CalicoPort[] | undefined): PortMatch[] => (protocolName ? (ports ?? []).map((port) => portMatch(protocolName, port)) : []);

  const dstPorts = portsOf(rule.destination?.ports);
  const remoteSide = entityPeers(remote, namespace, direction === 'ingress' ? 'source' : 'destination');
  const localSide = entityPeers(local, namespace, direction === 'ingress' ? 'destination' : 'source');
  const ir: Rule = {
    action: rule.action,
    ports: protocolName && dstPorts.length === 0 ? [{ protocol: protocolName }] : dstPorts,
    peers: remoteSide.peers,
  };

  if (protocol && 'number' in protocol) ir.protocolNumber = protocol.number;
  const notPorts = portsOf(rule.destination?.notPorts);
  if (notPorts.length > 0) ir.notPorts = notPorts;
  const srcPorts = portsOf(rule.source?.ports);
  if (srcPorts.length > 0) ir.srcPorts = srcPorts;
  const notSrcPorts = portsOf(rule.source?.notPorts);
  if (notSrcPorts.length > 0) ir.notSrcPorts = notSrcPorts;
  if (rule.notProtocol !== undefined) {
    const not = irProtocol(rule.notProtocol);
    if ('name' in not) ir.notProtocol = not.name;
    else ir.notProtocolNumber = not.number;
  }
  const icmp = icmpMatch(rule.icmp);
  if (icmp) ir.icmp = icmp;
  const notICMP = icmpMatch(rule.notICMP);
  if (notICMP) ir.notICMP = notICMP;
  if (rule.ipVersion !== undefined) ir.ipVersion = rule.ipVersion;
  if (remoteSide.notPeers.length > 0) ir.notPeers = remoteSide.notPeers;
  if (localSide.peers.length > 0) ir.localPeers = localSide.peers;
  if (localSide.notPeers.length > 0) ir.notLocalPeers = localSide.notPeers;
  return ir;
}
