// Services (core/v1) and their EndpointSlices (discovery.k8s.io/v1) to the inventory's Services:
// what rules matching a Service (Calico `services`) resolve against. From the Service, its
// ClusterIPs and its own ports (the agent sees a pod's packets before kube-proxy translates a
// ClusterIP); from the slices, the endpoints. Read as Felix's service index reads them
// (felix/serviceindex/service_index.go): a slice belongs to the Service its
// `kubernetes.io/service-name` label names, in the slice's namespace; every endpoint of the slice
// counts whatever its conditions; a port without a number counts for nothing, and a port without a
// protocol is TCP. Objects come both from list responses and raw watch events (plain JSON); the
// fields read have the same names in both.
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { InventoryInput, PortProtocol } from '../../policy/inventory.ts';
import { isStrictAddress } from './pod-endpoint.ts';

type ServiceInput = NonNullable<InventoryInput['services']>[number];
type SliceInput = ServiceInput['slices'][number];

/** Set by the EndpointSlice controller (and expected of any other owner): the Service a slice serves. */
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const PROTOCOLS: readonly string[] = ['TCP', 'UDP', 'SCTP'] satisfies PortProtocol[];

function sliceEntry(slice: V1EndpointSlice): SliceInput {
  // FQDN slices (addressType FQDN) name hosts, not addresses: nothing a packet carries.
  const addresses = (slice.endpoints ?? []).flatMap((endpoint) => endpoint.addresses ?? []).filter((address) => isStrictAddress(address));
  const ports: SliceInput['ports'] = [];
  for (const port of slice.ports ?? []) {
    const protocol = port.protocol ?? 'TCP';
    if (!Number.isInteger(port.port) || port.port! < 1 || port.port! > 65535 || !PROTOCOLS.includes(protocol)) continue;
    ports.push({ ...(port.name ? { name: port.name } : {}), port: port.port!, protocol: protocol as PortProtocol });
  }
  return { addresses: [...new Set(addresses)].sort(), ports };
}

/**
 * A Service's front: every address of spec.clusterIPs (spec.clusterIP alone on API servers older
 * than dual-stack), none for a headless Service ("None"), and spec.ports with their protocol (TCP
 * when absent, as the API server defaults it).
 */
function frontEntry(service: V1Service): Pick<ServiceInput, 'clusterIPs' | 'ports'> {
  const spec = service.spec;
  const listed = spec?.clusterIPs ?? (spec?.clusterIP ? [spec.clusterIP] : []);
  const clusterIPs = [...new Set(listed.filter((ip) => isStrictAddress(ip)))].sort();
  const ports: SliceInput['ports'] = [];
  for (const port of spec?.ports ?? []) {
    const protocol = port.protocol ?? 'TCP';
    if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535 || !PROTOCOLS.includes(protocol)) continue;
    ports.push({ ...(port.name ? { name: port.name } : {}), port: port.port, protocol: protocol as PortProtocol });
  }
  return { clusterIPs, ports };
}

type Gathered = { namespace: string; name: string; front?: Pick<ServiceInput, 'clusterIPs' | 'ports'>; slices: { key: string; entry: SliceInput }[] };

/**
 * The Services the slices belong to and the Services themselves, each with its front and its slices,
 * in a fixed order (by namespace and name, slices by their own name) so an unchanged cluster gives
 * an unchanged inventory hash. A slice without the service-name label serves no Service a rule can
 * name and is left out; a slice whose Service has not been seen yet still gives its endpoints, and
 * a Service without slices its ClusterIPs.
 */
export function serviceEntries(services: readonly V1Service[], slices: readonly V1EndpointSlice[]): ServiceInput[] {
  const byService = new Map<string, Gathered>();
  const gathered = (namespace: string, name: string): Gathered => {
    const key = `${namespace}/${name}`;
    let service = byService.get(key);
    if (!service) {
      service = { namespace, name, slices: [] };
      byService.set(key, service);
    }
    return service;
  };
  for (const service of services) {
    const namespace = service.metadata?.namespace;
    const name = service.metadata?.name;
    if (namespace && name) gathered(namespace, name).front = frontEntry(service);
  }
  for (const slice of slices) {
    const namespace = slice.metadata?.namespace;
    const name = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!namespace || !name) continue;
    gathered(namespace, name).slices.push({ key: slice.metadata?.name ?? '', entry: sliceEntry(slice) });
  }
  return [...byService.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([, service]) => ({
      namespace: service.namespace,
      name: service.name,
      clusterIPs: service.front?.clusterIPs ?? [],
      ports: service.front?.ports ?? [],
      slices: service.slices.sort((a, b) => compare(a.key, b.key)).map((slice) => slice.entry),
    }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
