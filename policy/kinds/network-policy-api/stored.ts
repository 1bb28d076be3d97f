// GET forms shared by the network-policy-api kinds: label selectors in their stored form, the
// defaulted port protocol (TCP, the CRD default) filled in, empty optional fields left out.
import { type LabelSelector, toStoredLabelSelector } from '../shared/label-selector.ts';
import type { AdminPort } from './ports-v1alpha1.ts';

export interface StoredSubject {
  namespaces?: LabelSelector;
  pods?: { namespaceSelector: LabelSelector; podSelector: LabelSelector };
}

interface SubjectInput {
  namespaces?: LabelSelector | undefined;
  pods?: { namespaceSelector?: LabelSelector | undefined; podSelector: LabelSelector } | undefined;
}

export function storedSubject(subject: SubjectInput): StoredSubject {
  if (subject.namespaces) return { namespaces: toStoredLabelSelector(subject.namespaces) };
  const pods = subject.pods as { namespaceSelector?: LabelSelector; podSelector: LabelSelector };
  return { pods: { namespaceSelector: toStoredLabelSelector(pods.namespaceSelector ?? {}), podSelector: toStoredLabelSelector(pods.podSelector) } };
}

export interface StoredPeer extends StoredSubject {
  nodes?: LabelSelector;
  networks?: string[];
}

type StoredPeerInput = SubjectInput & { nodes?: LabelSelector | undefined; networks?: string[] | undefined };

export function storedPeer(peer: StoredPeerInput): StoredPeer {
  if (peer.nodes) return { nodes: toStoredLabelSelector(peer.nodes) };
  if (peer.networks) return { networks: [...peer.networks] };
  return storedSubject(peer);
}

export function storedPort(port: AdminPort): AdminPort {
  if (port.portNumber) return { portNumber: { protocol: port.portNumber.protocol ?? 'TCP', port: port.portNumber.port } };
  if (port.portRange) return { portRange: { protocol: port.portRange.protocol ?? 'TCP', start: port.portRange.start, end: port.portRange.end } };
  return { namedPort: port.namedPort as string };
}

export interface StoredAdminRule<A extends string> {
  name?: string;
  action: A;
  from?: StoredPeer[];
  to?: StoredPeer[];
  ports?: AdminPort[];
}

export function storedAdminRule<A extends string>(
  rule: { name?: string | undefined; action: A; ports?: AdminPort[] | undefined },
  peers: { from: StoredPeerInput[] } | { to: StoredPeerInput[] },
): StoredAdminRule<A> {
  return {
    ...(rule.name && { name: rule.name }),
    action: rule.action,
    ...('from' in peers ? { from: peers.from.map(storedPeer) } : { to: peers.to.map(storedPeer) }),
    ...(rule.ports && { ports: rule.ports.map(storedPort) }),
  };
}
