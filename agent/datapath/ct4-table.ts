// The IPv4 conntrack table from user space (codegen/conntrack4.ts is the program's side): its map
// shape, the header written once when it is created, entries placed as the program would place
// them (an upgrade carrying an earlier agent's entries over), and its live entries found or counted.
// The table is created mmapable: user space reads it in place (bpf/kernel/mapped-array.ts), a status
// scrape counting its live ways without copying 32 MiB out of the kernel.
import { randomBytes } from 'node:crypto';
import { MapFlag, MapType } from '../../bpf/kernel/constants.ts';
import type { BpfMap, CreateMapOptions } from '../../bpf/kernel/map.ts';
import { isMappable, withMappedArray } from '../../bpf/kernel/mapped-array.ts';
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

/**
 * The table as a map: element 0 the header (Ct4Header), elements 1..sets the sets. Mmapable, so
 * user space reads it where it is (countCt4Entries); the verifier inlines the lookup of an mmapable
 * array as of any other (arraymap.c's array_map_gen_lookup does not look at the flag).
 */
export function ct4MapSpec(entries: number): CreateMapOptions {
  return {
    type: MapType.ARRAY,
    name: 'pal_conntrack',
    keySize: 4,
    valueSize: CT4_SET_SIZE,
    maxEntries: ct4Sets(entries) + 1,
    flags: MapFlag.MMAPABLE,
  };
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

/**
 * The whole table in one buffer, element i at i * stride (`words`: the same bytes as u32s): the
 * map's own memory when it is mmapable (this agent's tables, nothing copied), else a copy through
 * BPF_MAP_LOOKUP_BATCH (an earlier agent's table, read once when it is carried over).
 */
interface TableImage {
  bytes: Buffer;
  words: Uint32Array;
  stride: number;
}

const imageOf = (bytes: Buffer, stride: number): TableImage => ({
  bytes,
  words: new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2),
  stride,
});

function copyOf(map: BpfMap): TableImage {
  const stride = map.valueBufferSize;
  const image = Buffer.alloc(map.maxEntries * stride);
  map.forEachBatch(
    (keys, values, n) => {
      for (let i = 0; i < n; i++) values.copy(image, keys.readUInt32LE(i * 4) * stride, i * stride, (i + 1) * stride);
    },
    { batchSize: 4096 },
  );
  return imageOf(image, stride);
}

/** Lets `read` see the table as it is now, during the call only (the mapping is gone after it). */
function readTable<T>(map: BpfMap, read: (image: TableImage) => T): T {
  if (!isMappable(map)) return read(copyOf(map));
  return withMappedArray(map, {}, (mapped) => read(imageOf(mapped.bytes, mapped.stride)));
}

/** Lets `write` change the table: in place through a writable mapping, or on a copy written back in one batch. */
function writeTable(map: BpfMap, write: (image: TableImage) => void): void {
  if (isMappable(map)) {
    withMappedArray(map, { writable: true }, (mapped) => write(imageOf(mapped.bytes, mapped.stride)));
    return;
  }
  const image = copyOf(map);
  write(image);
  const keys = Buffer.alloc(map.maxEntries * 4);
  for (let i = 0; i < map.maxEntries; i++) keys.writeUInt32LE(i, i * 4);
  map.updatePacked(keys, image.bytes);
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

const TIMEOUT_NS = { tcp: Number(CT_TIMEOUT_TCP_NS), closing: Number(CT_TIMEOUT_TCP_CLOSING_NS), other: Number(CT_TIMEOUT_OTHER_NS) } as const;

/** How long a way's entry admits packets after it was last seen (ns, exact as a Number: hours at most). */
const timeoutOf = (proto: number, flags: number): number =>
  proto !== TCP ? TIMEOUT_NS.other : flags & (CtFlag.FIN | CtFlag.RST) ? TIMEOUT_NS.closing : TIMEOUT_NS.tcp;

/** Whether a way's entry still admits packets at `now` (bpf_ktime_get_ns, CLOCK_MONOTONIC). */
const alive = (entry: Pick<Ct4Entry, 'proto' | 'flags' | 'lastSeen'>, now: bigint): boolean =>
  now - entry.lastSeen <= BigInt(timeoutOf(entry.proto, entry.flags));

const monotonicNs = (): bigint => process.hrtime.bigint();

/** Field offsets read in place: a node's table is a million ways, decoding each would cost a scrape ~100 ms. */
const AT = {
  ifindex: CtWay4.offsetOf('ifindex'),
  seq: CtWay4.offsetOf('seq'),
  proto: CtWay4.offsetOf('proto'),
  flags: CtWay4.offsetOf('flags'),
  lastSeen: CtWay4.offsetOf('lastSeen'),
} as const;

/**
 * The ways as one flat run of u32 words after the header: a set is 128 bytes, already a multiple
 * of 8, so the kernel's elements (and a copy's) hold the sets back to back.
 */
const WAY_WORDS = CtWay4.size / 4;
const WORD = { ifindex: AT.ifindex / 4, seq: AT.seq / 4, lastSeen: AT.lastSeen / 4 } as const;

/** The word index of the first way, after the header. */
function firstWay(image: TableImage): number {
  if (image.stride !== CT4_SET_SIZE) throw new Error(`conntrack sets ${image.stride} bytes apart, not ${CT4_SET_SIZE}`);
  return image.stride / 4;
}

/** A way ever written (ifindex set) with no writer inside (even sequence word); `w` its first word. */
const written = (words: Uint32Array, w: number): boolean => words[w + WORD.ifindex] !== 0 && (words[w + WORD.seq]! & 1) === 0;

/** Entries alive now: what a status report counts as tracked connections. Read in place, nothing copied. */
export function countCt4Entries(map: BpfMap, now = monotonicNs()): number {
  return readTable(map, (image) => countAlive(image, now));
}

function countAlive(image: TableImage, now: bigint): number {
  const { bytes, words } = image;
  // lastSeen and now as 32-bit halves, no BigInt per way. The age is exact below 2^53 ns (104
  // days); beyond, it is far past any timeout either way.
  const nowHigh = Number(now >> 32n);
  const nowLow = Number(now & 0xffff_ffffn);
  let n = 0;
  for (let w = firstWay(image); w < words.length; w += WAY_WORDS) {
    if (!written(words, w)) continue;
    const age = (nowHigh - words[w + WORD.lastSeen + 1]!) * 2 ** 32 + (nowLow - words[w + WORD.lastSeen]!);
    const at = w * 4;
    if (age <= timeoutOf(bytes[at + AT.proto]!, bytes[at + AT.flags]!)) n++;
  }
  return n;
}

/**
 * Every entry alive now. Read in place, a way a program rewrites meanwhile is left out: its words
 * count as one flow's only if its sequence word was even and unchanged around their reads
 * (codegen/conntrack4.ts), as the program's own lookup requires.
 */
export function ct4Entries(map: BpfMap, now = monotonicNs()): Ct4Entry[] {
  return readTable(map, (image) => aliveEntries(image, now));
}

function aliveEntries(image: TableImage, now: bigint): Ct4Entry[] {
  const { bytes, words } = image;
  const entries: Ct4Entry[] = [];
  for (let w = firstWay(image); w < words.length; w += WAY_WORDS) {
    if (!written(words, w)) continue;
    const before = Atomics.load(words, w + WORD.seq);
    const entry = CtWay4.decode(bytes, w * 4);
    if (before & 1 || Atomics.load(words, w + WORD.seq) !== before) continue;
    if (alive(entry, now)) entries.push(entry);
  }
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
 * the program would: in its set, a way never written, else the least recently seen one. In place
 * through a writable mapping (a table not mmapable: one read and one write of the whole table).
 */
export function placeCt4Entries(map: BpfMap, entries: Iterable<Ct4Entry>): void {
  const header = readCt4Header(map);
  writeTable(map, ({ bytes: image, stride }) => {
    for (const entry of entries) placeEntry(image, ct4SetOf(header, entry) * stride, entry);
  });
}

/** One entry into its set at byte `base` of the image. */
function placeEntry(image: Buffer, base: number, entry: Ct4Entry): void {
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
