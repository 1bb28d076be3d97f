// The agent's view of the lab cluster, as the file inventory source reads it (agent/inventory/
// model.ts): every namespace with its labels, every pod with labels, addresses, named ports, the
// node it runs on, its service account with that account's labels (as the Kubernetes source fills
// them from its ServiceAccount watch), and, since all of a run's pods are on the run's one node, the host side of its
// veth in the node netns, where the agent attaches its programs; of its annotations, the bandwidth
// ones, as the Kubernetes source keeps them (agent/inventory/pod-endpoint.ts); and the case's
// Services with the endpoints their selectors pick today (../case/endpoint-slices.ts), as the
// Kubernetes source reads them from EndpointSlices. Written atomically (temp file,
// then rename in the same directory), so the agent's directory watch never sees half a file.
import { rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { bandwidthAnnotationsOf } from '../../policy/bandwidth/annotations.ts';
import type { InventoryInput } from '../../policy/inventory.ts';
import { serviceInventory } from '../case/endpoint-slices.ts';
import type { LabTopology } from '../case/expand.ts';
import type { Topology } from '../net/topology.ts';

export function inventoryOf(cluster: LabTopology, net: Topology, nodeName: string): InventoryInput {
  const addressesOf = (key: string) => {
    const wired = net.pods.get(key);
    return wired ? [wired.ip, ...(wired.ipv6 ? [wired.ipv6] : [])] : [];
  };
  return {
    // Only when the case has Services, so the inventories of the other cases stay as they were.
    ...(cluster.services.length > 0 && { services: serviceInventory(cluster, addressesOf) }),
    namespaces: cluster.namespaces.map((ns) => ({ name: ns.name, labels: { ...ns.labels } })),
    endpoints: cluster.pods.map((pod) => {
      const wired = net.pods.get(pod.key);
      if (!wired) throw new Error(`pod ${pod.key} is not in the topology`);
      const annotations = bandwidthAnnotationsOf(pod.annotations);
      return {
        namespace: pod.namespace,
        name: pod.name,
        labels: { ...pod.labels },
        ipv4: [wired.ip],
        ipv6: wired.ipv6 ? [wired.ipv6] : [],
        ports: pod.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol })),
        node: nodeName,
        hostInterface: wired.hostIfName,
        serviceAccount: { name: pod.serviceAccount.name, labels: { ...pod.serviceAccount.labels } },
        ...(Object.keys(annotations).length > 0 && { annotations }),
      };
    }),
  };
}

let sequence = 0;

export async function writeInventory(path: string, inventory: InventoryInput): Promise<void> {
  // The temp name starts with '.': the agent reloads on any event in the directory, but only the
  // rename onto `path` changes what it reads.
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${sequence++}.tmp`);
  await writeFile(tmp, `${JSON.stringify(inventory, null, 2)}\n`);
  await rename(tmp, path);
}
