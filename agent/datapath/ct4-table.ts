// The IPv4 conntrack table from user space (codegen/conntrack4.ts is the program's side): its map
// shape, the header written once when it is created, entries placed as the program would place
// them (an upgrade carrying an earlier agent's entries over), and its live entries found or counted.
import { randomBytes } from 'node:crypto';
import { MapType } from '../../bpf/kernel/constants.ts';
import type { BpfMap, CreateMapOptions } from '../../bpf/kernel/map.ts';
import { ct4Hash } from './ct4-hash.ts';
import { CT4_SET_SIZE, CT4_WAYS, Ct4Header, CtFlag, CtWay4 } from './layouts.ts';
import { CT_TIMEOUT_OTHER_NS, CT_TIMEOUT_TCP_CLOSING_NS, CT_TIMEOUT_TCP_NS } from './limits.ts';

const TCP = 6;

/** Sets for at least `entries` ways: a power of two, so the program picks one with a mask. */
export function ct4Sets(entries: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil(entries / CT4_WAYS))));
}

/** Ways of a table sized for `entries`. */
export const ct4Ways = (entries: number): number => ct4Sets(entries) * CT4_WAYS;

/** Ways of a table as created (its elements but the header, CT4_WAYS each). */
export const ct4Capacity = (map: BpfMap): number => (map.maxEntries - 1) * CT4_WAYS;

/** The table as a map: element 0 the header (Ct4Header), elements 1..sets the sets. */
export function ct4MapSpec(entries: number): CreateMapOptions {
  return { type: MapType.ARRAY, name: 'pal_conntrack', keySize: 4, valueSize: CT4_SET_SIZE, maxEntries: ct4Sets(entries) + 1 };
}

/** A way's key and value: CtWay4 without the sequence word. */
export interface Ct4Entry {
  ifindex: number;
  proto: number;
  lport: number;
  rport: number;
  local: Uint8Array;
  remote: Uint8Array;
  lastSeen: bigint;
  flags: number;
}

const indexKey = (i: number): Buffer => {
  const key = Buffer.alloc(4);
  key.writeUInt32LE(i);
  return key;
};

export function readCt4Header(map: BpfMap): { seed: number; setMask: number } {
  const header = map.lookup(indexKey(0));
  if (!header) throw new Error(`${map.name} has no header element`);
  return Ct4Header.decode(header);
}

/** Writes a fresh table's header: a random seed, the mask of its sets. Before any program uses it. */
export function initCt4Table(map: BpfMap): void {
  const value = Buffer.alloc(map.valueSize);
  Ct4Header.encodeInto(value, 0, { seed: randomBytes(4).readUInt32LE(0), setMask: map.maxEntries - 2 });
  map.update(indexKey(0), value);
  // Read once, every page: a fresh table's first 20,000 new flows measured ~2 us each instead of
  // ~1 us (BPF_PROG_TEST_RUN) until its pages had been read once, from user space or by earlier
  // flows (a first-touch cost below the program, the VM's by all signs; not pinned down). Reading
  // it here moves that to creation (tens of ms), off the first packets.
  map.forEachBatch(() => {});
}

/** The ports word as the program reads it: lport then rport, network order each, read little-endian. */
const portsWord = (lport: number, rport: number): number => ((lport >>> 8) | ((lport & 0xff) << 8) | ((rport >>> 8) << 16) | ((rport & 0xff) << 24)) >>> 0;
const addressWord = (address: Uint8Array): number => (address[0]! | (address[1]! << 8) | (address[2]! << 16) | (address[3]! << 24)) >>> 0;

/** The set an entry's key hashes to in a table with this header. */
export function ct4SetOf(
  header: { seed: number; setMask: number },
  entry: Pick<Ct4Entry, 'ifindex' | 'proto' | 'lport' | 'rport' | 'local' | 'remote'>,
): number {
  const hash = ct4Hash({
    seed: header.seed,
    ifindexProto: (entry.ifindex ^ (entry.proto << 24)) >>> 0,
    ports: portsWord(entry.lport, entry.rport),
    local: addressWord(entry.local),
    remote: addressWord(entry.remote),
  });
  return (hash & header.setMask) + 1;
}

/** Whether a way's entry still admits packets at `now` (bpf_ktime_get_ns, CLOCK_MONOTONIC). */
function alive(entry: Pick<Ct4Entry, 'proto' | 'flags' | 'lastSeen'>, now: bigint): boolean {
  const timeout = entry.proto !== TCP ? CT_TIMEOUT_OTHER_NS : entry.flags & (CtFlag.FIN | CtFlag.RST) ? CT_TIMEOUT_TCP_CLOSING_NS : CT_TIMEOUT_TCP_NS;
  return now - entry.lastSeen <= timeout;
}

const monotonicNs = (): bigint => process.hrtime.bigint();

/** Field offsets read in place: a node's table is a million ways, decoding each would cost a scrape ~100 ms. */
const AT = {
  ifindex: CtWay4.offsetOf('ifindex'),
  seq: CtWay4.offsetOf('seq'),
  proto: CtWay4.offsetOf('proto'),
  flags: CtWay4.offsetOf('flags'),
  lastSeen: CtWay4.offsetOf('lastSeen'),
} as const;

/** Every written way (ifindex set, no writer inside), alive or not: `values` holds it at byte `at`, during `visit` only. */
function forEachWrittenWay(map: BpfMap, visit: (values: Buffer, at: number) => void): void {
  map.forEachBatch(
    (keys, values, count) => {
      for (let i = 0; i < count; i++) {
        if (keys.readUInt32LE(i * 4) === 0) continue; // the header
        for (let w = 0; w < CT4_WAYS; w++) {
          const at = i * map.valueBufferSize + w * CtWay4.size;
          if (values.readUInt32LE(at + AT.ifindex) !== 0 && (values.readUInt32LE(at + AT.seq) & 1) === 0) visit(values, at);
        }
      }
    },
    { batchSize: 4096 },
  );
}

/** Entries alive now: what a status report counts as tracked connections. */
export function countCt4Entries(map: BpfMap, now = monotonicNs()): number {
  let n = 0;
  forEachWrittenWay(map, (values, at) => {
    if (alive({ proto: values[at + AT.proto]!, flags: values[at + AT.flags]!, lastSeen: values.readBigUInt64LE(at + AT.lastSeen) }, now)) n++;
  });
  return n;
}

/** Every entry alive now. */
export function ct4Entries(map: BpfMap, now = monotonicNs()): Ct4Entry[] {
  const entries: Ct4Entry[] = [];
  forEachWrittenWay(map, (values, at) => {
    const entry = CtWay4.decode(values, at);
    if (alive(entry, now)) entries.push(entry);
  });
  return entries;
}

type Ct4Key = Pick<Ct4Entry, 'ifindex' | 'proto' | 'lport' | 'rport' | 'local' | 'remote'>;

const sameKey = (a: Ct4Key, b: Ct4Key): boolean =>
  a.ifindex === b.ifindex &&
  a.proto === b.proto &&
  a.lport === b.lport &&
  a.rport === b.rport &&
  Buffer.compare(Buffer.from(a.local), Buffer.from(b.local)) === 0 &&
  Buffer.compare(Buffer.from(a.remote), Buffer.from(b.remote)) === 0;

/** The way holding `key` (alive or not), as the program's lookup finds it: the first match in its set. */
export function findCt4Entry(map: BpfMap, key: Ct4Key): { entry: Ct4Entry; set: number; way: number } | undefined {
  const set = ct4SetOf(readCt4Header(map), key);
  const value = map.lookup(indexKey(set));
  if (!value) return undefined;
  for (let w = 0; w < CT4_WAYS; w++) {
    const entry = CtWay4.decode(value, w * CtWay4.size);
    if (entry.ifindex !== 0 && !(entry.seq & 1) && sameKey(entry, key)) return { entry, set, way: w };
  }
  return undefined;
}

/** Rewrites one way's lastSeen and flags (tests age entries this way). Not safe against running programs' writes to the same set. */
export function updateCt4Entry(map: BpfMap, found: { entry: Ct4Entry; set: number; way: number }, change: Partial<Pick<Ct4Entry, 'lastSeen' | 'flags'>>): void {
  const value = map.lookup(indexKey(found.set))!;
  const at = found.way * CtWay4.size;
  const way = CtWay4.decode(value, at);
  CtWay4.encodeInto(value, at, { ...way, ...change });
  map.update(indexKey(found.set), value);
}

/**
 * Places entries into a table no program writes yet (one just created, before it is pinned), as
 * the program would: in its set, a way never written, else the least recently seen one. One read
 * and one write of the whole table, whatever the count.
 */
export function placeCt4Entries(map: BpfMap, entries: Iterable<Ct4Entry>): void {
  const header = readCt4Header(map);
  const sets = map.maxEntries;
  const image = Buffer.alloc(sets * map.valueBufferSize);
  map.forEachBatch((keys, values, n) => {
    for (let i = 0; i < n; i++) values.copy(image, keys.readUInt32LE(i * 4) * map.valueBufferSize, i * map.valueBufferSize, (i + 1) * map.valueBufferSize);
  });
  for (const entry of entries) {
    const base = ct4SetOf(header, entry) * map.valueBufferSize;
    let place = 0;
    let oldest: bigint | null = null;
    for (let w = 0; w < CT4_WAYS; w++) {
      const at = base + w * CtWay4.size;
      const score = image.readUInt32LE(at + AT.ifindex) === 0 ? -1n : image.readBigUInt64LE(at + AT.lastSeen);
      if (oldest === null || score < oldest) {
        oldest = score;
        place = w;
      }
    }
    const at = base + place * CtWay4.size;
    CtWay4.encodeInto(image, at, { ...entry, seq: (image.readUInt32LE(at + AT.seq) + 2) & ~1, pad: 0 });
  }
  const keys = Buffer.alloc(sets * 4);
  for (let i = 0; i < sets; i++) keys.writeUInt32LE(i, i * 4);
  map.updatePacked(keys, image);
}
