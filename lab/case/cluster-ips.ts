// The lab's kube-proxy: which endpoint a Service's ClusterIP sends each Service port to. One
// endpoint per port is enough for a case (kube-proxy would spread connections over all of them;
// a probe that could land on any endpoint would not say which one answered): the first pod, in
// case order, that the Service selects and that serves the port's targetPort. Probes to a Service
// (expand.ts) and the node's DNAT rules (../net/service-nat.ts) both come from here, so a probe's
// `to` is the pod the packets reach.
import type { ServiceDnat } from '../net/service-nat.ts';
import { resolvedPorts, selects } from './endpoint-slices.ts';
import type { LabPod, LabTopology } from './expand.ts';
import type { Protocol, ServiceSpec } from './schema.ts';

export interface ServiceBackend {
  pod: LabPod;
  targetPort: number;
}

/** The endpoint `port`/`protocol` of `service` goes to now, if any (`pods`: the current labels). */
export function serviceBackend(service: ServiceSpec, pods: readonly LabPod[], port: number, protocol: Protocol): ServiceBackend | undefined {
  const index = service.ports.findIndex((p) => p.port === port && p.protocol === protocol);
  if (index < 0) return undefined;
  const entry = service.ports[index]!;
  for (const pod of pods) {
    if (!selects(service, pod)) continue;
    const resolved = resolvedPorts({ ...service, ports: [entry] }, pod)[0];
    if (resolved) return { pod, targetPort: resolved.port };
  }
  return undefined;
}

/** A DNAT per Service port of every Service with a ClusterIP and an endpoint for that port; `addressOf` gives a pod's IPv4 address. */
export function kubeProxyRules(topology: LabTopology, addressOf: (key: string) => string | undefined): ServiceDnat[] {
  return topology.services.flatMap((service) => {
    const clusterIP = service.clusterIP;
    if (clusterIP === undefined) return [];
    return service.ports.flatMap((p): ServiceDnat[] => {
      const backend = serviceBackend(service, topology.pods, p.port, p.protocol);
      const endpoint = backend && addressOf(backend.pod.key);
      if (!backend || endpoint === undefined) return [];
      return [{ clusterIP, port: p.port, protocol: p.protocol, endpoint, targetPort: backend.targetPort }];
    });
  });
}
