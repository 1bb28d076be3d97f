// What the eBPF dataplane enforces and counts now, read from the kernel when the agent's metrics are
// scraped (never on a timer): rule hit counters per program summed by rule identity, the node-wide
// stats, map fill against capacity, and the bandwidth buckets' counters by pod.

import type { BpfMap } from '../../bpf/kernel/map.ts';
import type { BandwidthCounter } from './bandwidth/enforcement.ts';
import { countCt4Entries, ct4Capacity } from './ct4-table.ts';
import type { DataplaneObservation, RuleHits } from './dataplane.ts';
import type { StatReason } from './layouts.ts';
import type { LoadedProgram, ProgramImage } from './load.ts';
import type { SharedMaps } from './shared-maps.ts';

export interface ObservedParts {
  programs: Iterable<LoadedProgram>;
  shared: SharedMaps;
  stats: Record<StatReason, number>;
  bandwidth: readonly BandwidthCounter[];
  bandwidthCapacity: number;
}

/**
 * Each loaded program's rule keys by slot, made once: a program's slots never change while it is
 * loaded, and building 10,000 keys again on every scrape was a fifth of a scrape's time.
 */
const slotKeys = new WeakMap<ProgramImage, string[]>();

function keysOf(compiled: ProgramImage): string[] {
  let keys = slotKeys.get(compiled);
  if (!keys) {
    // NUL cannot occur in tier names or policy ids (Kubernetes names): the parts cannot run together.
    keys = compiled.slots.map((r) => `${compiled.direction}\0${r.tier}\0${r.policyId}\0${r.ruleIndex}\0${r.action}\0${r.staged}`);
    slotKeys.set(compiled, keys);
  }
  return keys;
}

/** Programs are shared by endpoints, so summing per program (not per endpoint) counts each packet once. */
function ruleHits(programs: Iterable<LoadedProgram>): RuleHits[] {
  const hits = new Map<string, RuleHits>();
  for (const program of programs) {
    const { direction, slots } = program.compiled;
    const keys = keysOf(program.compiled);
    program.forEachCounter((slot, packets, bytes) => {
      const rule = slots[slot];
      if (!rule) return;
      const key = keys[slot]!;
      const known = hits.get(key);
      if (known) {
        known.packets += packets;
        known.bytes += bytes;
      } else {
        hits.set(key, {
          key,
          direction,
          tier: rule.tier,
          policyId: rule.policyId,
          ruleIndex: rule.ruleIndex,
          action: rule.action,
          staged: rule.staged,
          packets,
          bytes,
        });
      }
    });
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
      // the IPv4 table is an array of sets: its live ways, not its elements
      { name: 'conntrack', entries: countCt4Entries(parts.shared.conntrack), capacity: ct4Capacity(parts.shared.conntrack) },
      filled('conntrack6', parts.shared.conntrack6),
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
