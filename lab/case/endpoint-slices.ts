// A lab Service's endpoints as the Kubernetes EndpointSlice controller would publish them
// (pkg/controller/endpointslice): the pods of the Service's namespace whose labels hold every pair
// of its selector (every lab pod is running and ready), each port's targetPort resolved per pod (a
// number as is, a name through the pod's ports of that protocol; a pod without the name leaves the
// port out, as the controller's FindPort does), and pods with the same resolved ports sharing one
// slice. Derived from the current labels, so a relabel moves a pod into or out of a Service. The
// Service's own ClusterIP and ports come along as the Kubernetes source reads them from the Service.
import type { InventoryInput } from '../../policy/inventory.ts';
import type { LabTopology } from './expand.ts';
import { resolvedPorts, selects } from './service-backend.ts';

type InventoryService = NonNullable<InventoryInput['services']>[number];
type SlicePort = InventoryService['slices'][number]['ports'][number];

/** Every Service of the topology with its slices; `addressesOf` gives a pod's addresses ("ns/pod"). */
export function serviceInventory(topology: LabTopology, addressesOf: (key: string) => readonly string[]): InventoryService[] {
  return topology.services.map((service) => {
    const slices = new Map<string, { addresses: string[]; ports: SlicePort[] }>();
    for (const pod of topology.pods) {
      if (!selects(service, pod)) continue;
      const ports = resolvedPorts(service, pod);
      const key = JSON.stringify(ports);
      const slice = slices.get(key) ?? { addresses: [], ports };
      slice.addresses.push(...addressesOf(pod.key));
      slices.set(key, slice);
    }
    return {
      namespace: service.namespace,
      name: service.name,
      clusterIPs: service.clusterIP ? [service.clusterIP] : [],
      ports: service.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol })),
      slices: [...slices.values()],
    };
  });
}
