// The lab's kube-proxy rules: a DNAT per Service port from the Service's ClusterIP to the endpoint
// ./service-backend.ts picks, the same one a probe to the Service names as `to` (./expand.ts), so
// the pod a probe expects is the pod the packets reach. Installed by ../run/kube-proxy.ts.
import type { ServiceDnat } from '../net/service-nat.ts';
import type { LabTopology } from './expand.ts';
import { serviceBackend } from './service-backend.ts';

/** Every Service with a ClusterIP, per port with an endpoint; `addressOf` gives a pod's IPv4 address. */
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
