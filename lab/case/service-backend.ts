// Which pods a lab Service selects and the ports it resolves on each, as the EndpointSlice
// controller decides them (./endpoint-slices.ts), and the one endpoint the lab's kube-proxy sends a
// Service port to (./cluster-ips.ts, and probes to a Service in ./expand.ts). One endpoint per port
// is enough for a case: kube-proxy would spread connections over all of them, and a probe that
// could land on any endpoint would not say which one answered. Pods are taken by shape, so this
// file depends on the case schema alone.
import type { InventoryInput } from '../../policy/inventory.ts';
import type { Protocol, ServiceSpec } from './schema.ts';

type SlicePort = NonNullable<InventoryInput['services']>[number]['slices'][number]['ports'][number];

/** What a Service needs of a pod (LabPod fits). */
export interface ServicePod {
  key: string;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  ports: readonly { port: number; protocol: Protocol; name?: string | undefined }[];
}

export function selects(service: ServiceSpec, pod: ServicePod): boolean {
  const pairs = Object.entries(service.selector);
  // Kubernetes makes no EndpointSlice for a Service without a selector.
  return pod.namespace === service.namespace && pairs.length > 0 && pairs.every(([key, value]) => pod.labels[key] === value);
}

export function resolvedPorts(service: ServiceSpec, pod: ServicePod): SlicePort[] {
  return service.ports.flatMap((port): SlicePort[] => {
    const target = port.targetPort ?? port.port;
    const number = typeof target === 'number' ? target : pod.ports.find((p) => p.name === target && p.protocol === port.protocol)?.port;
    if (number === undefined) return [];
    return [{ ...(port.name ? { name: port.name } : {}), port: number, protocol: port.protocol }];
  });
}

export interface ServiceBackend<P extends ServicePod> {
  pod: P;
  targetPort: number;
}

/**
 * The endpoint `port`/`protocol` of `service` goes to now (`pods` with their current labels): the
 * first pod, in case order, that the Service selects and that serves the port's targetPort.
 */
export function serviceBackend<P extends ServicePod>(
  service: ServiceSpec,
  pods: readonly P[],
  port: number,
  protocol: Protocol,
): ServiceBackend<P> | undefined {
  const entry = service.ports.find((p) => p.port === port && p.protocol === protocol);
  if (!entry) return undefined;
  for (const pod of pods) {
    if (!selects(service, pod)) continue;
    const resolved = resolvedPorts({ ...service, ports: [entry] }, pod)[0];
    if (resolved) return { pod, targetPort: resolved.port };
  }
  return undefined;
}
