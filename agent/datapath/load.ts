// Loading a compiled program: its own maps (rule counters, address-set trie) are created and
// filled, the program is linked against them and the node's shared maps, and BPF_PROG_LOAD runs
// the verifier. Nothing is attached here. On any failure everything made so far is closed.
import { BpfError } from '../../bpf/errors.ts';
import { MapType } from '../../bpf/kernel/constants.ts';
import { createMap, type BpfMap } from '../../bpf/kernel/map.ts';
import { splitPerCpu } from '../../bpf/kernel/percpu.ts';
import { loadProgram, type BpfProgram } from '../../bpf/kernel/program.ts';
import type { CompiledProgram } from './codegen/program.ts';
import { DatapathError } from './errors.ts';
import { LpmKey, LPM_VALUE_SIZE, RuleCounter } from './layouts.ts';
import { SLOT_INFO_SIZE, type ClassifierTables } from './codegen/classifier-tables.ts';
import { linkProgram } from './link.ts';
import { sharedMapFds, type SharedMaps } from './shared-maps.ts';

export interface RuleCount {
  packets: bigint;
  bytes: bigint;
}

export interface LoadedProgram {
  compiled: CompiledProgram;
  program: BpfProgram;
  counters: BpfMap;
  ipSets: BpfMap | undefined;
  /** The classifier's maps by MapRef (codegen/classifier-tables.ts), when the program has them. */
  classifierMaps: Readonly<ClassifierMaps>;
  /** Per-rule counters summed over CPUs, by slot. */
  readCounters(): Map<number, RuleCount>;
  close(): void;
}

/** Maps owned by one program: counters always, the address-set trie when the policy has sets. */
function programMaps(compiled: CompiledProgram): { counters: BpfMap; ipSets: BpfMap | undefined } {
  const counters = createMap({
    type: MapType.PERCPU_ARRAY,
    name: 'pal_counters',
    keySize: 4,
    valueSize: RuleCounter.size,
    maxEntries: Math.max(1, compiled.slots.length),
  });
  if (compiled.ipSetEntries.length === 0) return { counters, ipSets: undefined };
  let ipSets: BpfMap | undefined;
  try {
    ipSets = createMap({
      type: MapType.LPM_TRIE,
      name: 'pal_ipsets',
      keySize: LpmKey.size,
      valueSize: LPM_VALUE_SIZE,
      maxEntries: compiled.ipSetEntries.length,
    });
    ipSets.updateBatch(
      compiled.ipSetEntries.map((e) => e.key),
      compiled.ipSetEntries.map((e) => e.value),
    );
    return { counters, ipSets };
  } catch (error) {
    ipSets?.close();
    counters.close();
    throw error;
  }
}

/** Batched updates in chunks (one syscall each), so a 10,000-rule program takes a few calls. */
function fill(map: BpfMap, keys: readonly Buffer[], values: readonly Buffer[]): void {
  const CHUNK = 16_384;
  for (let i = 0; i < keys.length; i += CHUNK) map.updateBatch(keys.slice(i, i + CHUNK), values.slice(i, i + CHUNK));
}

type ClassifierMapRef = 'cls_remote' | 'cls_keys' | 'cls_vectors' | 'cls_slots' | 'clss_remote' | 'clss_keys' | 'clss_vectors' | 'clss_slots';
export type ClassifierMaps = Partial<Record<ClassifierMapRef, BpfMap>>;

/** fds of the classifier's maps, for linkProgram. */
export function classifierFds(maps: Readonly<ClassifierMaps>): Partial<Record<ClassifierMapRef, number>> {
  return Object.fromEntries(Object.entries(maps).map(([name, map]) => [name, map.fd]));
}

/** One evaluation's classifier maps, created and filled into `made` (prefix cls / clss). */
function fillClassifier(tables: ClassifierTables, prefix: 'cls' | 'clss', made: ClassifierMaps): void {
  const remote = (made[`${prefix}_remote`] = createMap({ type: MapType.LPM_TRIE, name: `pal_${prefix}_remote`, keySize: LpmKey.size, valueSize: 4, maxEntries: tables.remote.length }));
  fill(remote, tables.remote.map((e) => e.key), tables.remote.map((e) => e.value));
  const keys = (made[`${prefix}_keys`] = createMap({ type: MapType.ARRAY, name: `pal_${prefix}_keys`, keySize: 4, valueSize: 4, maxEntries: tables.keys.length }));
  // an array map starts zeroed: only the keys that are not their field's default are written
  const explicit = tables.stored.reduce<number[]>((list, v, i) => (v !== 0 && list.push(i), list), []);
  const keyBytes = Buffer.alloc(explicit.length * 8);
  explicit.forEach((k, i) => (keyBytes.writeUInt32LE(k, i * 8), keyBytes.writeUInt32LE(tables.stored[k]!, i * 8 + 4)));
  fill(
    keys,
    explicit.map((_, i) => keyBytes.subarray(i * 8, i * 8 + 4)),
    explicit.map((_, i) => keyBytes.subarray(i * 8 + 4, i * 8 + 8)),
  );
  const vectors = (made[`${prefix}_vectors`] = createMap({ type: MapType.ARRAY, name: `pal_${prefix}_vectors`, keySize: 4, valueSize: tables.vectorSize, maxEntries: tables.vectorCount }));
  fillArray(vectors, tables.vectors, tables.vectorSize);
  const slots = (made[`${prefix}_slots`] = createMap({ type: MapType.ARRAY, name: `pal_${prefix}_slots`, keySize: 4, valueSize: SLOT_INFO_SIZE, maxEntries: tables.bits }));
  fillArray(slots, tables.slotInfo, SLOT_INFO_SIZE);
}

/** An array map's values 0..n-1 from one buffer, in batches. */
function fillArray(map: BpfMap, values: Buffer, valueSize: number): void {
  const count = values.length / valueSize;
  const keys = Buffer.alloc(count * 4);
  for (let i = 0; i < count; i++) keys.writeUInt32LE(i, i * 4);
  fill(
    map,
    Array.from({ length: count }, (_, i) => keys.subarray(i * 4, i * 4 + 4)),
    Array.from({ length: count }, (_, i) => values.subarray(i * valueSize, (i + 1) * valueSize)),
  );
}

/** The classifier's maps (codegen/classifier-tables.ts), created and filled; none without a classifier. */
function classifierMaps(compiled: CompiledProgram): ClassifierMaps {
  const made: ClassifierMaps = {};
  try {
    if (compiled.classifier) fillClassifier(compiled.classifier, 'cls', made);
    if (compiled.stagedClassifier) fillClassifier(compiled.stagedClassifier, 'clss', made);
    return made;
  } catch (error) {
    Object.values(made).forEach((m) => m.close());
    throw error;
  }
}

export function loadCompiledProgram(compiled: CompiledProgram, shared: SharedMaps): LoadedProgram {
  let maps: ReturnType<typeof programMaps>;
  try {
    maps = programMaps(compiled);
  } catch (error) {
    throw new DatapathError('LOAD_FAILED', `maps of ${compiled.name}: ${(error as Error).message}`, { cause: error });
  }
  const { counters, ipSets } = maps;
  let cls: ReturnType<typeof classifierMaps>;
  try {
    cls = classifierMaps(compiled);
  } catch (error) {
    counters.close();
    ipSets?.close();
    throw new DatapathError('LOAD_FAILED', `classifier maps of ${compiled.name}: ${(error as Error).message}`, { cause: error });
  }
  const clsFds = classifierFds(cls);
  let program: BpfProgram;
  try {
    const bytes = linkProgram(compiled.assembled, { ...sharedMapFds(shared), counters: counters.fd, ...(ipSets && { ipsets: ipSets.fd }), ...clsFds });
    program = loadProgram({ name: compiled.name, instructions: bytes });
  } catch (error) {
    counters.close();
    ipSets?.close();
    Object.values(cls).forEach((m) => m.close());
    if (error instanceof DatapathError) throw error;
    const reason = error instanceof BpfError ? error.message : String(error);
    throw new DatapathError('LOAD_FAILED', reason, { cause: error });
  }
  return {
    compiled,
    program,
    counters,
    ipSets,
    classifierMaps: cls,
    readCounters() {
      const result = new Map<number, RuleCount>();
      const { keys, values } = counters.lookupBatch();
      keys.forEach((key, i) => {
        const slot = key.readUInt32LE(0);
        let packets = 0n;
        let bytes = 0n;
        for (const cpu of splitPerCpu(values[i]!, RuleCounter.size)) {
          const c = RuleCounter.decode(cpu);
          packets += c.packets;
          bytes += c.bytes;
        }
        if (packets > 0n) result.set(slot, { packets, bytes });
      });
      return result;
    },
    close() {
      program.close();
      counters.close();
      ipSets?.close();
      Object.values(cls).forEach((m) => m.close());
    },
  };
}
