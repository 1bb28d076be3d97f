// The maps one compiled program owns, described as data: for each, how to create it and the entries
// it starts with. Pure: load.ts creates and fills every one of them in one loop, so a newcomer finds
// each map's shape and contents here and the kernel calls in one place.
//
// Counters always (one per-CPU entry per rule slot, zeroed by the kernel); the address-set trie
// when the policy has sets; the classifier's four maps per map-driven evaluation (enforced, staged).
import { MapType } from '../../bpf/kernel/constants.ts';
import type { CreateMapOptions } from '../../bpf/kernel/map.ts';
import { type ClassifierTables, SLOT_INFO_SIZE } from './codegen/classifier-tables.ts';
import type { CompiledProgram } from './codegen/program.ts';
import { LPM_VALUE_SIZE, LpmKey, RuleCounter } from './layouts.ts';
import { CLASSIFIER_MAP_REFS, type ClassifierMapRef, type ClassifierMapRefs } from './map-refs.ts';

export type ProgramMapRef = 'counters' | 'ipsets' | ClassifierMapRef;

export interface ProgramMapSpec {
  ref: ProgramMapRef;
  create: CreateMapOptions;
  /** Entries written once the map exists (keys[i] -> values[i]); the rest of an array stays zeroed. */
  keys: readonly Buffer[];
  values: readonly Buffer[];
}

/** Kernel object names are `pal_` and the map's reference (truncated by the kernel to 15 characters). */
const nameOf = (ref: ProgramMapRef) => `pal_${ref}`;

export function programMapSpecs(compiled: CompiledProgram): ProgramMapSpec[] {
  const specs: ProgramMapSpec[] = [
    {
      ref: 'counters',
      create: { type: MapType.PERCPU_ARRAY, name: nameOf('counters'), keySize: 4, valueSize: RuleCounter.size, maxEntries: Math.max(1, compiled.slots.length) },
      keys: [],
      values: [],
    },
  ];
  if (compiled.ipSetEntries.length > 0) {
    specs.push({
      ref: 'ipsets',
      create: { type: MapType.LPM_TRIE, name: nameOf('ipsets'), keySize: LpmKey.size, valueSize: LPM_VALUE_SIZE, maxEntries: compiled.ipSetEntries.length },
      keys: compiled.ipSetEntries.map((e) => e.key),
      values: compiled.ipSetEntries.map((e) => e.value),
    });
  }
  if (compiled.classifier) specs.push(...classifierMapSpecs(compiled.classifier, CLASSIFIER_MAP_REFS.enforced));
  if (compiled.stagedClassifier) specs.push(...classifierMapSpecs(compiled.stagedClassifier, CLASSIFIER_MAP_REFS.staged));
  return specs;
}

/** One evaluation's classifier maps (codegen/classifier-tables.ts has what each holds). */
function classifierMapSpecs(tables: ClassifierTables, refs: ClassifierMapRefs): ProgramMapSpec[] {
  // an array map starts zeroed: only the keys that are not their field's default are written
  const explicit: number[] = [];
  tables.stored.forEach((v, i) => {
    if (v !== 0) explicit.push(i);
  });
  const keyBytes = Buffer.alloc(explicit.length * 8);
  explicit.forEach((k, i) => {
    keyBytes.writeUInt32LE(k, i * 8);
    keyBytes.writeUInt32LE(tables.stored[k]!, i * 8 + 4);
  });
  return [
    {
      ref: refs.remote,
      create: { type: MapType.LPM_TRIE, name: nameOf(refs.remote), keySize: LpmKey.size, valueSize: 4, maxEntries: tables.remote.length },
      keys: tables.remote.map((e) => e.key),
      values: tables.remote.map((e) => e.value),
    },
    {
      ref: refs.keys,
      create: { type: MapType.ARRAY, name: nameOf(refs.keys), keySize: 4, valueSize: 4, maxEntries: tables.keys.length },
      keys: explicit.map((_, i) => keyBytes.subarray(i * 8, i * 8 + 4)),
      values: explicit.map((_, i) => keyBytes.subarray(i * 8 + 4, i * 8 + 8)),
    },
    {
      ref: refs.vectors,
      create: { type: MapType.ARRAY, name: nameOf(refs.vectors), keySize: 4, valueSize: tables.vectorSize, maxEntries: tables.vectorCount },
      ...arrayEntries(tables.vectors, tables.vectorSize),
    },
    {
      ref: refs.slots,
      create: { type: MapType.ARRAY, name: nameOf(refs.slots), keySize: 4, valueSize: SLOT_INFO_SIZE, maxEntries: tables.bits },
      ...arrayEntries(tables.slotInfo, SLOT_INFO_SIZE),
    },
  ];
}

/** An array map's values 0..n-1, cut from one buffer. */
function arrayEntries(values: Buffer, valueSize: number): Pick<ProgramMapSpec, 'keys' | 'values'> {
  const count = values.length / valueSize;
  const keys = Buffer.alloc(count * 4);
  for (let i = 0; i < count; i++) keys.writeUInt32LE(i, i * 4);
  return {
    keys: Array.from({ length: count }, (_, i) => keys.subarray(i * 4, i * 4 + 4)),
    values: Array.from({ length: count }, (_, i) => values.subarray(i * valueSize, (i + 1) * valueSize)),
  };
}
