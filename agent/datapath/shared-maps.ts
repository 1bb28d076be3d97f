// The node-wide maps every program shares: per-CPU packet state, conntrack, fragments, the flow
// ring buffer and the allowed flows' aggregates, drop/failsafe stats, and the bandwidth buckets with the endpoints charged to them.
// Pinned under the node's pin directory so that a restarted agent (and the programs it loads) keeps
// the same conntrack table and bucket state: established connections survive restarts and
// re-applies, and a restart grants no fresh burst. An upgrade that changes only a hash map's
// capacity or flags (limits.ts sizes the conntrack table) re-creates it with its entries copied
// over, so established connections survive that too, and so they do an earlier agent's IPv4
// conntrack of another layout (conntrack-upgrade.ts) or of another size or flags (a table created
// before it was mmapable); any other changed layout loses them.
import { existsSync } from 'node:fs';
import { isBpfError } from '../../bpf/errors.ts';
import { MapFlag, MapType } from '../../bpf/kernel/constants.ts';
import { type BpfMap, type CreateMapOptions, createMap, createMapOffThread, openPinnedMap } from '../../bpf/kernel/map.ts';
import { unpin } from '../../bpf/kernel/pin.ts';
import { convertLegacyEntry, ct4EntryOf, LEGACY_CONNTRACK, LRU_CONNTRACK4 } from './conntrack-upgrade.ts';
import { type Ct4Entry, ct4Entries, ct4MapSpec, initCt4Table, placeCt4Entries } from './ct4-table.ts';
import {
  BandwidthBucketValue,
  BandwidthEndpointKey,
  BandwidthEndpointValue,
  CT4_SET_SIZE,
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
  conntrack6: BpfMap;
  fragments: BpfMap;
  flows: BpfMap;
  flowAggregates: BpfMap;
  stats: BpfMap;
  bwBuckets: BpfMap;
  bwEndpoints: BpfMap;
}

export type SharedMapName = keyof SharedMaps;
export const SHARED_MAP_NAMES: readonly SharedMapName[] = [
  'state',
  'conntrack',
  'conntrack6',
  'fragments',
  'flows',
  'flowAggregates',
  'stats',
  'bwBuckets',
  'bwEndpoints',
];
/** The shared maps only programs with bandwidth code use (for the status report's map count). */
export const BANDWIDTH_MAP_NAMES: readonly SharedMapName[] = ['bwBuckets', 'bwEndpoints'];

export function sharedMapSpecs(sizes: SharedMapSizes = DEFAULT_SHARED_MAP_SIZES): Record<SharedMapName, CreateMapOptions> {
  return {
    state: { type: MapType.PERCPU_ARRAY, name: 'pal_state', keySize: 4, valueSize: State.size, maxEntries: 1 },
    conntrack: ct4MapSpec(sizes.conntrack),
    conntrack6: { type: MapType.LRU_HASH, name: 'pal_conntrack6', keySize: CtKey.size, valueSize: CtValue.size, maxEntries: sizes.conntrack6 },
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
    initCt4Table(made.conntrack!);
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
  /** Pinned maps of another capacity or flags: re-created, every entry copied into the new one. */
  carried: SharedMapName[];
  /** Pinned maps of another shape (an agent upgrade changed a layout): replaced, their state lost. */
  replaced: SharedMapName[];
}

function sameShape(map: BpfMap, spec: CreateMapOptions): boolean {
  return sameEntryLayout(map, spec) && map.maxEntries === spec.maxEntries && map.flags === (spec.flags ?? 0);
}

function sameEntryLayout(map: BpfMap, spec: CreateMapOptions): boolean {
  return map.type === spec.type && map.keySize === spec.keySize && map.valueSize === spec.valueSize;
}

/** Map kinds whose entries a re-created map can take over as they are: keyed, one value for all CPUs. */
const CARRIED_TYPES: ReadonlySet<number> = new Set([MapType.HASH, MapType.LRU_HASH]);

/**
 * Copies every entry of `from` into `to` (same kind, key and value layout). False when they did not
 * all fit (a smaller plain hash): the caller counts the map as replaced. An LRU map takes them all,
 * evicting the oldest if it is smaller.
 */
function carryEntries(from: BpfMap, to: BpfMap): boolean {
  try {
    from.forEachBatch((keys, values, n) => {
      const k: Buffer[] = [];
      const v: Buffer[] = [];
      for (let i = 0; i < n; i++) {
        k.push(keys.subarray(i * from.keySize, (i + 1) * from.keySize));
        v.push(values.subarray(i * from.valueBufferSize, (i + 1) * from.valueBufferSize));
      }
      to.updateBatch(k, v);
    });
    return true;
  } catch (error) {
    if (isBpfError(error, 'MAP_OP_FAILED')) return false;
    throw error;
  }
}

/** The IPv4 entries of a pinned earlier `conntrack`, its IPv6 ones written to `conntrack6` on the way; null: not a table we know. */
function earlierIpv4Entries(from: BpfMap, conntrack6: BpfMap): Ct4Entry[] | null {
  if (from.type === MapType.ARRAY && from.keySize === 4 && from.valueSize === CT4_SET_SIZE) return ct4Entries(from);
  if (from.type !== MapType.LRU_HASH) return null;
  const lru = from.keySize === LRU_CONNTRACK4.keySize && from.valueSize === LRU_CONNTRACK4.valueSize;
  const legacy = from.keySize === LEGACY_CONNTRACK.keySize && from.valueSize === LEGACY_CONNTRACK.valueSize;
  if (!lru && !legacy) return null;
  const ipv4: Ct4Entry[] = [];
  from.forEachBatch((keys, values, n) => {
    const ipv6 = { keys: [] as Buffer[], values: [] as Buffer[] };
    for (let i = 0; i < n; i++) {
      const key = keys.subarray(i * from.keySize, (i + 1) * from.keySize);
      const value = values.subarray(i * from.valueSize, (i + 1) * from.valueSize);
      if (lru) {
        ipv4.push(ct4EntryOf(key, value));
        continue;
      }
      const entry = convertLegacyEntry(key, value);
      if (entry?.table === 'conntrack') ipv4.push(ct4EntryOf(entry.key, entry.value));
      else if (entry) {
        ipv6.keys.push(entry.key);
        ipv6.values.push(entry.value);
      }
    }
    if (ipv6.keys.length > 0) conntrack6.updateBatch(ipv6.keys, ipv6.values);
  });
  return ipv4;
}

/**
 * An earlier agent's IPv4 conntrack pinned as `conntrack` (the one-table LRU hash before issue 13,
 * the IPv4 LRU hash after it, or this table at another size or without BPF_F_MMAPABLE): its entries placed in the new table
 * (conntrack-upgrade.ts says why they must not be lost). False when `from` is none of those or its
 * entries did not fit.
 */
function carryConntrack(from: BpfMap, maps: Partial<SharedMaps>): boolean {
  if (!maps.conntrack || !maps.conntrack6) return false;
  try {
    const ipv4 = earlierIpv4Entries(from, maps.conntrack6);
    if (!ipv4) return false;
    placeCt4Entries(maps.conntrack, ipv4);
    return true;
  } catch (error) {
    if (isBpfError(error, 'MAP_OP_FAILED')) return false;
    throw error;
  }
}

/** The maps pinned in `dir` of the shape wanted, and the ones to create (pinned of another shape, or missing). */
interface PinnedSurvey {
  specs: Record<SharedMapName, CreateMapOptions>;
  reused: Partial<SharedMaps>;
  /** Pinned maps of another shape, by the name of the map that replaces them. */
  outdated: Partial<SharedMaps>;
  toCreate: SharedMapName[];
}

function closeAll(...groups: Partial<SharedMaps>[]): void {
  for (const group of groups) for (const map of Object.values(group)) map.close();
}

function surveyPinned(dir: string, sizes?: Partial<SharedMapSizes>): PinnedSurvey {
  const survey: PinnedSurvey = { specs: sharedMapSpecs({ ...DEFAULT_SHARED_MAP_SIZES, ...sizes }), reused: {}, outdated: {}, toCreate: [] };
  try {
    for (const name of SHARED_MAP_NAMES) {
      const path = `${dir}/${name}`;
      const pinned = existsSync(path) ? openPinnedMap(path) : null;
      if (pinned && sameShape(pinned, survey.specs[name])) {
        survey.reused[name] = pinned;
        continue;
      }
      if (pinned) survey.outdated[name] = pinned;
      survey.toCreate.push(name);
    }
  } catch (error) {
    closeAll(survey.reused, survey.outdated);
    throw error;
  }
  return survey;
}

/** Takes over the outdated maps' entries where it can, and pins the created maps in their place. */
function pinCreated(dir: string, survey: PinnedSurvey, created: Partial<SharedMaps>): OpenedSharedMaps {
  const carried: SharedMapName[] = [];
  const replaced: SharedMapName[] = [];
  try {
    if (created.conntrack) initCt4Table(created.conntrack);
    for (const name of survey.toCreate) {
      const path = `${dir}/${name}`;
      const map = created[name]!;
      const pinned = survey.outdated[name];
      if (pinned) {
        const spec = survey.specs[name];
        const kept =
          (CARRIED_TYPES.has(spec.type) && sameEntryLayout(pinned, spec) && carryEntries(pinned, map)) ||
          (name === 'conntrack' && carryConntrack(pinned, { ...survey.reused, ...created }));
        (kept ? carried : replaced).push(name);
        pinned.close();
        delete survey.outdated[name];
        unpin(path);
      }
      map.pin(path);
    }
  } catch (error) {
    closeAll(survey.reused, survey.outdated, created);
    throw error;
  }
  return { maps: { ...survey.reused, ...created } as SharedMaps, reused: Object.keys(survey.reused) as SharedMapName[], carried, replaced };
}

/** Open the maps pinned in `dir`, creating (and pinning) the missing ones. */
export function openSharedMaps(dir: string, sizes?: Partial<SharedMapSizes>): OpenedSharedMaps {
  const survey = surveyPinned(dir, sizes);
  const created: Partial<SharedMaps> = {};
  try {
    for (const name of survey.toCreate) created[name] = createMap(survey.specs[name]);
  } catch (error) {
    closeAll(survey.reused, survey.outdated, created);
    throw error;
  }
  return pinCreated(dir, survey, created);
}

/**
 * openSharedMaps with the maps created on worker threads (createMapOffThread): on a node without the
 * pins (first start, or after a reboot) the conntrack table alone takes the kernel ~100 ms to
 * create, which the agent overlaps with reading and verifying its last good bundle (daemon.ts restore).
 */
export async function openSharedMapsOffThread(dir: string, sizes?: Partial<SharedMapSizes>): Promise<OpenedSharedMaps> {
  const survey = surveyPinned(dir, sizes);
  const created: Partial<SharedMaps> = {};
  const outcomes = await Promise.allSettled(
    survey.toCreate.map(async (name) => {
      created[name] = await createMapOffThread(survey.specs[name]);
    }),
  );
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    closeAll(survey.reused, survey.outdated, created);
    throw failed.reason;
  }
  return pinCreated(dir, survey, created);
}

export function sharedMapFds(maps: SharedMaps): MapFds {
  return {
    state: maps.state.fd,
    conntrack: maps.conntrack.fd,
    conntrack6: maps.conntrack6.fd,
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
