// The maps a generated program refers to, by name. Code generation is pure: it emits `ld_imm64`
// map loads with a placeholder instead of a file descriptor, and linking (./link.ts) puts the fds of
// the maps actually created in their place just before BPF_PROG_LOAD.
import { type Instruction, ld, type Register, withComment } from '../../bpf/asm/index.ts';

/**
 * The classifier's four maps per evaluation (codegen/classifier.ts), named once here for the code
 * generator and the loader: `remote` an LPM trie remote address -> vector index, `keys` an array
 * protocol/port/ICMP/sport key -> vector index, `vectors` an array of bit vectors, `slots` an
 * array bit -> kind, rule slot, next bit. The staged evaluation has four of its own.
 */
export const CLASSIFIER_MAP_REFS = {
  enforced: { remote: 'cls_remote', keys: 'cls_keys', vectors: 'cls_vectors', slots: 'cls_slots' },
  staged: { remote: 'clss_remote', keys: 'clss_keys', vectors: 'clss_vectors', slots: 'clss_slots' },
} as const;

export type ClassifierMapRefs = (typeof CLASSIFIER_MAP_REFS)[keyof typeof CLASSIFIER_MAP_REFS];
export type ClassifierMapRef = ClassifierMapRefs[keyof ClassifierMapRefs];

export const MAP_REFS = [
  'state', // node-wide: per-CPU packet state (layouts.ts State)
  'conntrack', // node-wide, pinned: array of sets of CtWay4 ways, element 0 Ct4Header (IPv4 flows)
  'conntrack6', // node-wide, pinned: LRU hash CtKey -> CtValue (IPv6 flows)
  'fragments', // node-wide, pinned: LRU hash of admitted fragmented datagrams
  'flows', // node-wide, pinned: ring buffer of flow events (denied, logged)
  'flow_aggregates', // node-wide, pinned: hash FlowAggregateKey -> FlowAggregateValue (allowed new flows)
  'stats', // node-wide, pinned: per-CPU u64 counters by STAT_REASONS
  'counters', // per program: per-CPU RuleCounter by rule slot
  'ipsets', // per program: LPM trie of the program's address sets
  ...Object.values(CLASSIFIER_MAP_REFS.enforced), // per program (classifier)
  ...Object.values(CLASSIFIER_MAP_REFS.staged),
  'bw_buckets', // node-wide, pinned: array of token buckets (layouts.ts BandwidthBucketValue)
  'bw_endpoints', // node-wide, pinned: hash (ifindex, hook) -> the endpoint's bucket indexes
] as const;
export type MapRef = (typeof MAP_REFS)[number];

/**
 * Placeholders are far above any fd a process holds, so a program loaded without linking fails
 * with EBADF instead of reaching some unrelated map.
 */
const PLACEHOLDER_BASE = 0x5a5a_0000;

export const placeholderOf = (ref: MapRef): number => PLACEHOLDER_BASE + MAP_REFS.indexOf(ref);

/** The MapRef a placeholder stands for, or undefined for a real fd. */
export function refOfPlaceholder(imm: number): MapRef | undefined {
  return MAP_REFS[imm - PLACEHOLDER_BASE];
}

/** dst = pointer to the map `ref` (resolved at link time). */
export function loadMap(dst: Register, ref: MapRef): Instruction {
  return withComment(ld.mapFd(dst, placeholderOf(ref)), `map ${ref}`);
}
