// A step's `relabel` entries applied to the lab's view of the cluster: labels are replaced whole,
// and a namespace keeps kubernetes.io/metadata.name whatever the new labels say (FORMAT.md).
import { err, ok, type Result } from '../errors.ts';
import { type LabTopology, podKey, withNameLabel } from './expand.ts';
import type { Relabel } from './schema.ts';

export function applyRelabels(topology: LabTopology, relabels: readonly Relabel[]): Result<LabTopology> {
  let namespaces = topology.namespaces;
  let pods = topology.pods;
  for (const r of relabels) {
    if (r.kind === 'Namespace') {
      if (!namespaces.some((n) => n.name === r.name)) {
        return err('unknown_namespace', `relabel: namespace "${r.name}" does not exist`);
      }
      namespaces = namespaces.map((n) => (n.name === r.name ? { name: n.name, labels: withNameLabel(n.name, r.labels) } : n));
    } else {
      const key = podKey(r.namespace, r.name);
      if (!pods.some((p) => p.key === key)) return err('unknown_pod', `relabel: pod ${key} does not exist`);
      pods = pods.map((p) => (p.key === key ? { ...p, labels: { ...r.labels } } : p));
    }
  }
  return ok({ ...topology, namespaces, pods });
}
