// The usual way to get a lab: topology + probe agents, one destroy() for both.
import type { Result } from './errors.ts';
import { createTopology, type PodInput, type Topology, type TopologyOptions } from './net/topology.ts';
import { type Prober, type ProberOptions, startProber } from './probe/prober.ts';

export interface Lab {
  topology: Topology;
  prober: Prober;
  /** Stops the agents, then removes every netns, link and file of the run. Idempotent. */
  destroy(): Promise<void>;
}

export async function startLab(
  pods: readonly PodInput[] | { readonly pods: readonly PodInput[] },
  opts: TopologyOptions & ProberOptions = {},
): Promise<Result<Lab>> {
  const topo = await createTopology(pods, opts);
  if (!topo.ok) return topo;
  const prober = await startProber(topo.value, opts);
  if (!prober.ok) {
    await topo.value.destroy();
    return prober;
  }
  return { ok: true, value: { topology: topo.value, prober: prober.value, destroy: () => topo.value.destroy() } };
}
