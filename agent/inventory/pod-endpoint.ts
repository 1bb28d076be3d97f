// Kubernetes objects to inventory entries. Objects come both from list responses (deserialised by
// the client library) and raw watch events (plain JSON); only fields whose names are the same in
// both are read.
import { isIPv4, isIPv6 } from 'node:net';
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';
import type { HostInterfaceNamer } from './host-interface.ts';
import type { EndpointPort, InventoryInput, PortProtocol } from '../../policy/inventory.ts';

type EndpointInput = InventoryInput['endpoints'][number];
type NamespaceInput = InventoryInput['namespaces'][number];

export function namespaceEntry(namespace: V1Namespace): NamespaceInput | undefined {
  const name = namespace.metadata?.name;
  if (!name) return undefined;
  return { name, labels: { ...(namespace.metadata?.labels ?? {}) } };
}

/**
 * A pod as an endpoint, or undefined for pods that are not policy endpoints: host-network pods
 * (they share the node's address and have no interface of their own; Calico does not treat them as
 * workloads either) and finished pods (Succeeded/Failed: their addresses are released and may
 * already belong to a new pod).
 */
export function podEndpoint(pod: V1Pod, localNode: string, hostInterface: HostInterfaceNamer): EndpointInput | undefined {
  const namespace = pod.metadata?.namespace;
  const name = pod.metadata?.name;
  if (!namespace || !name) return undefined;
  if (pod.spec?.hostNetwork) return undefined;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return undefined;

  const addresses = (pod.status?.podIPs ?? []).map((entry) => entry.ip).filter((ip): ip is string => typeof ip === 'string');
  if (addresses.length === 0 && pod.status?.podIP) addresses.push(pod.status.podIP);
  const node = pod.spec?.nodeName || undefined;
  const iface = node === localNode ? hostInterface({ namespace, name }) : undefined;
  return {
    namespace,
    name,
    labels: { ...(pod.metadata?.labels ?? {}) },
    ipv4: unique(addresses.filter((ip) => isIPv4(ip))),
    ipv6: unique(addresses.filter((ip) => isIPv6(ip))),
    ports: podPorts(pod),
    ...(node ? { node } : {}),
    ...(iface ? { hostInterface: iface } : {}),
  };
}

/** Ports of the app containers, and of sidecars (init containers that keep running, restartPolicy Always). */
function podPorts(pod: V1Pod): EndpointPort[] {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  const ports: EndpointPort[] = [];
  const seen = new Set<string>();
  for (const container of containers) {
    for (const port of container.ports ?? []) {
      const protocol = (port.protocol ?? 'TCP') as PortProtocol;
      if (!['TCP', 'UDP', 'SCTP'].includes(protocol) || !Number.isInteger(port.containerPort)) continue;
      const key = `${port.name ?? ''}/${port.containerPort}/${protocol}`;
      if (seen.has(key)) continue;
      seen.add(key);
      ports.push({ ...(port.name ? { name: port.name } : {}), port: port.containerPort, protocol });
    }
  }
  return ports;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
