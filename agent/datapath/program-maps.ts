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

/**
 * Entries as BPF_MAP_UPDATE_BATCH takes them (BpfMap.updatePacked): `count` keys back to back, and
 * their values likewise. An array's values are the buffer the compiler built, not a copy of it.
 */
export interface PackedEntries {
  count: number;
  keys: Buffer;
  values: Buffer;
}

export interface ProgramMapSpec {
  ref: ProgramMapRef;
  create: CreateMapOptions;
  /** Entries written once the map exists; the rest of an array stays zeroed. */
  entries: PackedEntries;
}

const NO_ENTRIES: PackedEntries = { count: 0, keys: Buffer.alloc(0), values: Buffer.alloc(0) };

/** Entries given one by one, packed. */
const packed = (keys: readonly Buffer[], values: readonly Buffer[]): PackedEntries => ({
  count: keys.length,
  keys: Buffer.concat(keys),
  values: Buffer.concat(values),
});

/** Kernel object names are `pal_` and the map's reference (truncated by the kernel to 15 characters). */
const nameOf = (ref: ProgramMapRef) => `pal_${ref}`;

export function programMapSpecs(compiled: CompiledProgram): ProgramMapSpec[] {
  const specs: ProgramMapSpec[] = [
    {
      ref: 'counters',
      create: { type: MapType.PERCPU_ARRAY, name: nameOf('counters'), keySize: 4, valueSize: RuleCounter.size, maxEntries: Math.max(1, compiled.slots.length) },
      entries: NO_ENTRIES,
    },
  ];
  if (compiled.ipSetEntries.length > 0) {
    specs.push({
      ref: 'ipsets',
      create: { type: MapType.LPM_TRIE, name: nameOf('ipsets'), keySize: LpmKey.size, valueSize: LPM_VALUE_SIZE, maxEntries: compiled.ipSetEntries.length },
      entries: packed(
        compiled.ipSetEntries.map((e) => e.key),
        compiled.ipSetEntries.map((e) => e.value),
      ),
    });
  }
  if (compiled.classifier) specs.push(...classifierMapSpecs(compiled.classifier, CLASSIFIER_MAP_REFS.enforced));
  if (compiled.stagedClassifier) specs.push(...classifierMapSpecs(compiled.stagedClassifier, CLASSIFIER_MAP_REFS.staged));
  return specs;
}

/** One evaluation's classifier maps (codegen/classifier-tables.ts has what each holds). */
function classifierMapSpecs(tables: ClassifierTables, refs: ClassifierMapRefs): ProgramMapSpec[] {
  // an array map starts zeroed: only the keys that are not their field's default are written
  let explicit = 0;
  for (const v of tables.stored) if (v !== 0) explicit++;
  const keyBytes = Buffer.alloc(explicit * 4);
  const valueBytes = Buffer.alloc(explicit * 4);
  let at = 0;
  tables.stored.forEach((v, k) => {
    if (v === 0) return;
    keyBytes.writeUInt32LE(k, at);
    valueBytes.writeUInt32LE(v, at);
    at += 4;
  });
  return [
    {
      ref: refs.remote,
      create: { type: MapType.LPM_TRIE, name: nameOf(refs.remote), keySize: LpmKey.size, valueSize: 4, maxEntries: tables.remote.count },
      entries: tables.remote,
    },
    {
      ref: refs.keys,
      create: { type: MapType.ARRAY, name: nameOf(refs.keys), keySize: 4, valueSize: 4, maxEntries: tables.keys.length },
      entries: { count: explicit, keys: keyBytes, values: valueBytes },
    },
    {
      ref: refs.vectors,
      create: { type: MapType.ARRAY, name: nameOf(refs.vectors), keySize: 4, valueSize: tables.vectorSize, maxEntries: tables.vectorCount },
      entries: arrayEntries(tables.vectors, tables.vectorSize),
    },
    {
      ref: refs.slots,
      create: { type: MapType.ARRAY, name: nameOf(refs.slots), keySize: 4, valueSize: SLOT_INFO_SIZE, maxEntries: tables.bits },
      entries: arrayEntries(tables.slotInfo, SLOT_INFO_SIZE),
    },
  ];
}

/** An array map's values 0..n-1: the buffer itself, with its indexes as keys. */
function arrayEntries(values: Buffer, valueSize: number): PackedEntries {
  const count = values.length / valueSize;
  const keys = Buffer.alloc(count * 4);
  for (let i = 0; i < count; i++) keys.writeUInt32LE(i, i * 4);
  return { count, keys, values };
}
