// Kubernetes objects to inventory entries. Objects come both from list responses (deserialised by
// the client library) and raw watch events (plain JSON); only fields whose names are the same in
// both are read.
import { isIPv4, isIPv6 } from 'node:net';
import type { V1Namespace, V1Node, V1Pod, V1ServiceAccount } from '@kubernetes/client-node';
import { bandwidthAnnotationsOf } from '../../policy/bandwidth/annotations.ts';
import type { EndpointPort, InventoryInput, PortProtocol } from '../../policy/inventory.ts';
import { parseCidr } from '../../policy/validation/cidr.ts';
import type { HostInterfaceNamer } from './host-interface.ts';

type EndpointInput = InventoryInput['endpoints'][number];
type NamespaceInput = InventoryInput['namespaces'][number];
type NodeInput = NonNullable<InventoryInput['nodes']>[number];
type Labels = Record<string, string>;

/** Labels of the service account `name` in `namespace`, or undefined when it has not been seen. */
export type ServiceAccountLabels = (namespace: string, name: string) => Labels | undefined;

/** The key a ServiceAccount goes by: `namespace/name`, as for endpoints. */
export function serviceAccountKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Index of ServiceAccounts by serviceAccountKey, to their labels. */
export function serviceAccountIndex(accounts: readonly V1ServiceAccount[]): Map<string, Labels> {
  const index = new Map<string, Labels>();
  for (const account of accounts) {
    const namespace = account.metadata?.namespace;
    const name = account.metadata?.name;
    if (namespace && name) index.set(serviceAccountKey(namespace, name), { ...(account.metadata?.labels ?? {}) });
  }
  return index;
}

/** Node address types that carry traffic a node-peer rule means (not Hostname, InternalDNS, ...). */
const NODE_ADDRESS_TYPES = new Set(['InternalIP', 'ExternalIP']);

/**
 * A node with its labels and its InternalIP/ExternalIP addresses. Addresses are kept only when they
 * parse with the same strict rules as the inventory schema (so one odd address does not cost the
 * node its others).
 */
export function nodeEntry(node: V1Node): NodeInput | undefined {
  const name = node.metadata?.name;
  if (!name) return undefined;
  const addresses = (node.status?.addresses ?? [])
    .filter((entry) => NODE_ADDRESS_TYPES.has(entry.type) && typeof entry.address === 'string')
    .map((entry) => entry.address.trim())
    .filter((address) => isStrictAddress(address));
  return { name, labels: { ...(node.metadata?.labels ?? {}) }, addresses: unique(addresses) };
}

/** An IPv4 or IPv6 address the inventory schema accepts (policy/inventory.ts). */
export function isStrictAddress(address: string): boolean {
  const family = isIPv6(address) ? 6 : isIPv4(address) ? 4 : undefined;
  if (family === undefined) return false;
  const parsed = parseCidr(`${address}/${family === 4 ? 32 : 128}`);
  return parsed.ok && parsed.cidr.family === family;
}

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
export function podEndpoint(
  pod: V1Pod,
  localNode: string,
  hostInterface: HostInterfaceNamer,
  serviceAccountLabels: ServiceAccountLabels = () => undefined,
): EndpointInput | undefined {
  const namespace = pod.metadata?.namespace;
  const name = pod.metadata?.name;
  if (!namespace || !name) return undefined;
  if (pod.spec?.hostNetwork) return undefined;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return undefined;

  const addresses = (pod.status?.podIPs ?? []).map((entry) => entry.ip).filter((ip): ip is string => typeof ip === 'string');
  if (addresses.length === 0 && pod.status?.podIP) addresses.push(pod.status.podIP);
  const node = pod.spec?.nodeName || undefined;
  const iface = node === localNode ? hostInterface({ namespace, name }) : undefined;
  // The API server defaults spec.serviceAccountName to "default" on admission; a pod read without it
  // (an older object, a hand-made one) runs as that account all the same.
  const account = pod.spec?.serviceAccountName || 'default';
  // Only the bandwidth annotations: the rest can be large (last-applied-configuration) and mean
  // nothing to the dataplane, and every byte is in every inventory report.
  const annotations = bandwidthAnnotationsOf(pod.metadata?.annotations);
  return {
    namespace,
    name,
    labels: { ...(pod.metadata?.labels ?? {}) },
    ipv4: unique(addresses.filter((ip) => isIPv4(ip))),
    ipv6: unique(addresses.filter((ip) => isIPv6(ip))),
    ports: podPorts(pod),
    ...(node ? { node } : {}),
    ...(iface ? { hostInterface: iface } : {}),
    // Labels {} until the ServiceAccount watch delivers the account; the next rebuild fills them in.
    serviceAccount: { name: account, labels: { ...(serviceAccountLabels(namespace, account) ?? {}) } },
    ...(Object.keys(annotations).length > 0 && { annotations }),
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
