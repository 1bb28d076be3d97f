// The node-wide maps every program shares: per-CPU packet state, conntrack, fragments, the flow
// ring buffer and the allowed flows' aggregates, drop/failsafe stats, and the bandwidth buckets with the endpoints charged to them.
// Pinned under the node's pin directory so that a restarted agent (and the programs it loads) keeps
// the same conntrack table and bucket state: established connections survive restarts and
// re-applies, and a restart grants no fresh burst.
import { existsSync } from 'node:fs';
import { MapFlag, MapType } from '../../bpf/kernel/constants.ts';
import { type BpfMap, type CreateMapOptions, createMap, openPinnedMap } from '../../bpf/kernel/map.ts';
import { unpin } from '../../bpf/kernel/pin.ts';
import {
  BandwidthBucketValue,
  BandwidthEndpointKey,
  BandwidthEndpointValue,
  CtKey,
  CtValue,
  FlowAggregateKey,
  FlowAggregateValue,
  FRAGMENT_VALUE_SIZE,
  STAT_REASONS,
  State,
} from './layouts.ts';
import { DEFAULT_SHARED_MAP_SIZES, type SharedMapSizes } from './limits.ts';
import type { MapFds } from './link.ts';

export interface SharedMaps {
  state: BpfMap;
  conntrack: BpfMap;
  fragments: BpfMap;
  flows: BpfMap;
  flowAggregates: BpfMap;
  stats: BpfMap;
  bwBuckets: BpfMap;
  bwEndpoints: BpfMap;
}

export type SharedMapName = keyof SharedMaps;
export const SHARED_MAP_NAMES: readonly SharedMapName[] = ['state', 'conntrack', 'fragments', 'flows', 'flowAggregates', 'stats', 'bwBuckets', 'bwEndpoints'];
/** The shared maps only programs with bandwidth code use (for the status report's map count). */
export const BANDWIDTH_MAP_NAMES: readonly SharedMapName[] = ['bwBuckets', 'bwEndpoints'];

export function sharedMapSpecs(sizes: SharedMapSizes = DEFAULT_SHARED_MAP_SIZES): Record<SharedMapName, CreateMapOptions> {
  return {
    state: { type: MapType.PERCPU_ARRAY, name: 'pal_state', keySize: 4, valueSize: State.size, maxEntries: 1 },
    conntrack: { type: MapType.LRU_HASH, name: 'pal_conntrack', keySize: CtKey.size, valueSize: CtValue.size, maxEntries: sizes.conntrack },
    fragments: { type: MapType.LRU_HASH, name: 'pal_fragments', keySize: CtKey.size, valueSize: FRAGMENT_VALUE_SIZE, maxEntries: sizes.fragments },
    flows: { type: MapType.RINGBUF, name: 'pal_flows', keySize: 0, valueSize: 0, maxEntries: sizes.flowRing },
    flowAggregates: {
      type: MapType.HASH,
      name: 'pal_flow_aggs',
      keySize: FlowAggregateKey.size,
      valueSize: FlowAggregateValue.size,
      maxEntries: sizes.flowAggregates,
      // not preallocated: an entry the agent drains is freed after an RCU grace period, so a program
      // still adding to it never lands in a recycled entry of another key (one allocation per new key)
      flags: MapFlag.NO_PREALLOC,
    },
    stats: { type: MapType.PERCPU_ARRAY, name: 'pal_stats', keySize: 4, valueSize: 8, maxEntries: STAT_REASONS.length },
    bwBuckets: { type: MapType.ARRAY, name: 'pal_bw_buckets', keySize: 4, valueSize: BandwidthBucketValue.size, maxEntries: sizes.bandwidthBuckets },
    bwEndpoints: {
      type: MapType.HASH,
      name: 'pal_bw_endpts',
      keySize: BandwidthEndpointKey.size,
      valueSize: BandwidthEndpointValue.size,
      maxEntries: sizes.bandwidthEndpoints,
    },
  };
}

/** Unpinned maps (tests, dry runs). */
export function createSharedMaps(sizes?: Partial<SharedMapSizes>): SharedMaps {
  const specs = sharedMapSpecs({ ...DEFAULT_SHARED_MAP_SIZES, ...sizes });
  const made: Partial<SharedMaps> = {};
  try {
    for (const name of SHARED_MAP_NAMES) made[name] = createMap(specs[name]);
  } catch (error) {
    for (const m of Object.values(made)) m.close();
    throw error;
  }
  return made as SharedMaps;
}

export interface OpenedSharedMaps {
  maps: SharedMaps;
  /** Maps that were pinned already (the rest were created, or re-created because their shape changed). */
  reused: SharedMapName[];
  /** Pinned maps of another shape (an agent upgrade changed a layout): replaced, their state lost. */
  replaced: SharedMapName[];
}

function sameShape(map: BpfMap, spec: CreateMapOptions): boolean {
  return map.type === spec.type && map.keySize === spec.keySize && map.valueSize === spec.valueSize && map.maxEntries === spec.maxEntries;
}

/** Open the maps pinned in `dir`, creating (and pinning) the missing ones. */
export function openSharedMaps(dir: string, sizes?: Partial<SharedMapSizes>): OpenedSharedMaps {
  const specs = sharedMapSpecs({ ...DEFAULT_SHARED_MAP_SIZES, ...sizes });
  const made: Partial<SharedMaps> = {};
  const reused: SharedMapName[] = [];
  const replaced: SharedMapName[] = [];
  try {
    for (const name of SHARED_MAP_NAMES) {
      const path = `${dir}/${name}`;
      if (existsSync(path)) {
        const pinned = openPinnedMap(path);
        if (sameShape(pinned, specs[name])) {
          made[name] = pinned;
          reused.push(name);
          continue;
        }
        pinned.close();
        unpin(path);
        replaced.push(name);
      }
      const map = createMap(specs[name]);
      made[name] = map;
      map.pin(path);
    }
  } catch (error) {
    for (const m of Object.values(made)) m.close();
    throw error;
  }
  return { maps: made as SharedMaps, reused, replaced };
}

export function sharedMapFds(maps: SharedMaps): MapFds {
  return {
    state: maps.state.fd,
    conntrack: maps.conntrack.fd,
    fragments: maps.fragments.fd,
    flows: maps.flows.fd,
    flow_aggregates: maps.flowAggregates.fd,
    stats: maps.stats.fd,
    bw_buckets: maps.bwBuckets.fd,
    bw_endpoints: maps.bwEndpoints.fd,
  };
}

export function closeSharedMaps(maps: SharedMaps): void {
  for (const name of SHARED_MAP_NAMES) maps[name].close();
}
