// What the eBPF dataplane enforces and counts now, read from the kernel when the agent's metrics are
// scraped (never on a timer): rule hit counters per program summed by rule identity, the node-wide
// stats, map fill against capacity, and the bandwidth buckets' counters by pod.
import type { BpfMap } from '../../bpf/kernel/map.ts';
import type { BandwidthCounter } from './bandwidth/enforcement.ts';
import type { DataplaneObservation, RuleHits } from './dataplane.ts';
import type { StatReason } from './layouts.ts';
import type { LoadedProgram } from './load.ts';
import type { SharedMaps } from './shared-maps.ts';

export interface ObservedParts {
  programs: Iterable<LoadedProgram>;
  shared: SharedMaps;
  stats: Record<StatReason, number>;
  bandwidth: readonly BandwidthCounter[];
  bandwidthCapacity: number;
}

/** Programs are shared by endpoints, so summing per program (not per endpoint) counts each packet once. */
function ruleHits(programs: Iterable<LoadedProgram>): RuleHits[] {
  const hits = new Map<string, RuleHits>();
  for (const program of programs) {
    const { direction, slots } = program.compiled;
    for (const [slot, count] of program.readCounters()) {
      const rule = slots[slot];
      if (!rule) continue;
      const key = `${direction}\0${rule.tier}\0${rule.policyId}\0${rule.ruleIndex}\0${rule.action}\0${rule.staged}`;
      const known = hits.get(key);
      if (known) {
        known.packets += Number(count.packets);
        known.bytes += Number(count.bytes);
      } else {
        hits.set(key, {
          direction,
          tier: rule.tier,
          policyId: rule.policyId,
          ruleIndex: rule.ruleIndex,
          action: rule.action,
          staged: rule.staged,
          packets: Number(count.packets),
          bytes: Number(count.bytes),
        });
      }
    }
  }
  return [...hits.values()];
}

const filled = (name: string, map: BpfMap) => ({ name, entries: map.countEntries(), capacity: map.maxEntries });

export function observeDatapath(parts: ObservedParts): DataplaneObservation {
  const programs = [...parts.programs];
  const programMaps = programs.flatMap((p) => Object.values(p.maps) as BpfMap[]);
  // A program's own maps are made to measure and filled once: their entries are their capacity.
  const programMapEntries = programMaps.reduce((n, m) => n + m.maxEntries, 0);
  return {
    programs: programs.length,
    maps: [
      filled('conntrack', parts.shared.conntrack),
      filled('fragments', parts.shared.fragments),
      filled('bandwidth_endpoints', parts.shared.bwEndpoints),
      { name: 'bandwidth_buckets', entries: parts.bandwidth.length, capacity: parts.bandwidthCapacity },
      { name: 'program_maps', entries: programMapEntries, capacity: programMapEntries },
    ],
    rules: ruleHits(programs),
    events: { ...parts.stats },
    bandwidth: parts.bandwidth.flatMap((bucket) => {
      const pods = new Set(bucket.endpoints.map((e) => e.endpoint));
      const directions = new Set(bucket.endpoints.map((e) => e.direction));
      // A bucket shared by pods (a Namespace-scoped policy, the tenant's ceiling) cannot say which pod
      // spent what: it is reported once, without a pod.
      return [...directions].map((direction) => ({
        pod: pods.size === 1 ? [...pods][0] : undefined,
        direction,
        passedPackets: bucket.passedPackets,
        droppedPackets: bucket.droppedPackets,
        passedBytes: bucket.passedBytes,
        droppedBytes: bucket.droppedBytes,
      }));
    }),
  };
}
