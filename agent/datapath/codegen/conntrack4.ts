// The IPv4 conntrack table: a BPF array the program manages itself, set-associative, instead of the
// kernel's LRU hash. Why: a new flow's cost was the LRU hash itself (agent/datapath/README.md, "What
// a new flow costs"): a lookup miss walking a bucket and chain in a table larger than the caches,
// then an insert that pops the LRU's free list and evicts (the evictee's bucket, chain and locks).
// Here the verifier inlines the array lookup (a bounds check and pointer arithmetic, no helper call,
// lock, free list or chain): a new flow reads one set (CT4_WAYS ways of 32 bytes, two cache lines)
// and writes one way of it.
//
// - Set: (ct4Hash(seed, key) & setMask) + 1; element 0 holds the seed and mask (layouts.ts
//   Ct4Header), so a table and its seed are pinned, carried and replaced together.
// - Lookup compares the key in each way; the first match is the flow's entry (expiry and TCP rules
//   as in conntrack.ts). On a miss the lookup also picks where a record would go: a way never
//   written or expired, else the least recently seen (LRU within the set: a flow refreshed by its
//   packets survives a flood of new ones, as in the LRU hash). On a match that is no longer alive
//   (expired, or a SYN on a closing entry) the record reuses that way.
// - Record: the way the lookup picked, only if nobody rewrote it since (its sequence word unchanged).
//
// Two CPUs may write one way at once. What must hold: a hit is never reported for a key no CPU
// recorded (a way torn between two flows' words must not admit a third); a false miss is harmless
// (the packet goes through policy, and is recorded again if allowed). The sequence word `seq` is a
// seqlock per way:
// - a writer claims the way with cmpxchg(seq: s -> s + 1), s being the even value its lookup saw;
//   if that fails (another CPU claimed or rewrote it since) it records nothing. So one writer at a
//   time, and only over the entry it judged. It writes the key, proto, flags and lastSeen, then
//   releases with an atomic fetch-add of 1 (s + 2, even again);
// - a reader scans the set with plain reads to find the match, then reads seq (s1; odd: a writer
//   is inside, a miss), the key words, lastSeen and flags, then seq again (s2): a hit only if the
//   key still matches and s1 = s2. Any claim between them changed seq (it only grows; wrapping takes
//   2^31 rewrites of one way within a few reads), so the words read are all one writer's. The two
//   sequence reads and the release are fetch-adds, which the kernel's memory model makes full
//   barriers on every architecture (cmpxchg is one too), so this holds on arm64 as on x86-64: the
//   claim is before the writer's stores, the release after them, and the reader's loads between its
//   two sequence reads. Two atomics per hit, on a line the hit's lastSeen store dirties anyway.
// - a hit refreshes lastSeen and ORs FIN/RST into flags with plain stores, unclaimed: racing a
//   writer, they can land on the new flow's way. That gives the new flow a slightly later lastSeen
//   (both are now) or a closing flag (a shorter timeout, and its next SYN goes through policy):
//   misses, never a hit for an unrecorded key, since the key words are only written under a claim.
// - two CPUs recording the same new flow at once may claim two ways of its set: the lookup finds
//   the first, the other ages out and is the set's first victim.
import {
  add32,
  add64,
  and32,
  and64,
  atomicCmpXchg,
  atomicFetchAdd,
  call,
  ja,
  jeq,
  jge,
  jne,
  jset,
  jsgt,
  jsle,
  label,
  ld,
  ldx,
  lsh32,
  mov32,
  mov64,
  mul32,
  type ProgramSource,
  R0,
  R1,
  R2,
  R3,
  R4,
  R5,
  R7,
  R8,
  rsh32,
  st,
  stx,
  sub64,
  xor32,
} from '../../../bpf/asm/index.ts';
import { Helper } from '../../../bpf/kernel/constants.ts';
import { CT4_HASH_ROUNDS } from '../ct4-hash.ts';
import { CT4_WAYS, Ct4Header, CtWay4 } from '../layouts.ts';
import { CT_TIMEOUT_OTHER_NS, CT_TIMEOUT_TCP_NS } from '../limits.ts';
import { loadMap } from '../map-refs.ts';
import { at, R_STATE, statePointer } from './conventions.ts';
import { IpProto } from './parse.ts';

const WAY = CtWay4.size;
const way = (field: Parameters<typeof CtWay4.offsetOf>[0]): number => CtWay4.offsetOf(field);
/** Bits of a way's byte offset in its set (ways are a power of two of 32 bytes). */
const WAY_OFFSET_MASK = (CT4_WAYS - 1) * WAY;
/** The key words in the state (ct4Key), where the way keeps them. */
const KEY_WORDS = { ifindex: way('ifindex'), ports: way('lport'), local: way('local'), remote: way('remote') } as const;
/** Any timeout but an open TCP connection's (UDP and others, TCP after FIN/RST): the shorter one. */
const SHORT_TIMEOUT_NS = CT_TIMEOUT_OTHER_NS;

/** The key in CtWay4's order at ct4Key, from the state's CtKey. */
function buildKey(): ProgramSource {
  return [
    ldx.w(R1, R_STATE, at('ifindex')),
    stx.w(R_STATE, R1, at('ct4Key') + KEY_WORDS.ifindex),
    ldx.w(R1, R_STATE, at('lport')), // lport, rport
    stx.w(R_STATE, R1, at('ct4Key') + KEY_WORDS.ports),
    ldx.w(R1, R_STATE, at('local')),
    stx.w(R_STATE, R1, at('ct4Key') + KEY_WORDS.local),
    ldx.w(R1, R_STATE, at('remote')),
    stx.w(R_STATE, R1, at('ct4Key') + KEY_WORDS.remote),
  ];
}

/** R0 = the packet's set (ct4Set filled), or jump to `missing` (cannot happen: a table has element 0 and its sets). */
function lookupSet(missing: string): ProgramSource {
  const round = (r: (typeof CT4_HASH_ROUNDS)[number]): ProgramSource => [
    xor32.reg(R1, R2),
    mul32.imm(R1, r.multiplier | 0),
    mov32.reg(R2, R1),
    rsh32.imm(R2, r.shift),
    xor32.reg(R1, R2),
  ];
  const [first, ...rest] = CT4_HASH_ROUNDS;
  return [
    st.w(R_STATE, 0, at('mapKey')),
    loadMap(R1, 'conntrack'),
    statePointer(R2, 'mapKey'),
    call(Helper.map_lookup_elem),
    jeq.imm(R0, 0, missing),
    ldx.w(R1, R0, Ct4Header.offsetOf('seed')),
    ldx.w(R3, R0, Ct4Header.offsetOf('setMask')),
    // ifindexProto
    ldx.b(R2, R_STATE, at('proto')),
    lsh32.imm(R2, 24),
    ldx.w(R4, R_STATE, at('ct4Key') + KEY_WORDS.ifindex),
    xor32.reg(R2, R4),
    round(first),
    rest.map((r) => [ldx.w(R2, R_STATE, at('ct4Key') + KEY_WORDS[r.word as keyof typeof KEY_WORDS]), round(r)]),
    and32.reg(R1, R3),
    add32.imm(R1, 1),
    stx.w(R_STATE, R1, at('ct4Set')),
    loadMap(R1, 'conntrack'),
    statePointer(R2, 'ct4Set'),
    call(Helper.map_lookup_elem),
    jeq.imm(R0, 0, missing),
  ];
}

/**
 * One way of the lookup (R0 the set, R3 scratch for its seq): on a key match, R8 = its offset and
 * jump to `match` with R3 its seq. Otherwise it competes as the record's place: R7 the oldest score
 * so far (lastSeen, 0 for a way never written or expired), R8 its offset, R1 its seq.
 */
function scanWay(w: number, match: string): ProgramSource {
  const o = w * WAY;
  const l = (name: string) => `ct4_way${w}_${name}`;
  return [
    ldx.w(R3, R0, o + way('seq')),
    jset.imm(R3, 1, l('next')), // a writer is inside: neither a hit nor a place to write
    ldx.dw(R4, R0, o + KEY_WORDS.ifindex), // ifindex, ports
    ldx.dw(R5, R_STATE, at('ct4Key') + KEY_WORDS.ifindex),
    jne.reg(R4, R5, l('score')),
    ldx.dw(R4, R0, o + KEY_WORDS.local), // local, remote
    ldx.dw(R5, R_STATE, at('ct4Key') + KEY_WORDS.local),
    jne.reg(R4, R5, l('score')),
    ldx.b(R4, R0, o + way('proto')),
    ldx.b(R5, R_STATE, at('proto')),
    jne.reg(R4, R5, l('score')),
    mov64.imm(R8, o),
    ja(match),
    label(l('score')),
    ldx.dw(R4, R0, o + way('lastSeen')),
    ldx.dw(R5, R_STATE, at('ts')),
    sub64.reg(R5, R4), // age (signed: another CPU may have stamped it after our ts)
    ld.imm64(R2, CT_TIMEOUT_TCP_NS),
    jsgt.reg(R5, R2, l('expired')),
    ld.imm64(R2, SHORT_TIMEOUT_NS),
    jsle.reg(R5, R2, l('candidate')),
    ldx.b(R2, R0, o + way('proto')), // older than the short timeout: alive only as an open TCP connection
    jne.imm(R2, IpProto.TCP, l('expired')),
    ldx.b(R2, R0, o + way('flags')),
    jeq.imm(R2, 0, l('candidate')),
    label(l('expired')),
    mov64.imm(R4, 0),
    label(l('candidate')),
    jge.reg(R4, R7, l('next')), // not older than the oldest so far
    mov64.reg(R7, R4),
    mov64.imm(R8, o),
    mov64.reg(R1, R3),
    label(l('next')),
  ];
}

/**
 * IPv4 lookup. A key match leaves R0 = its way, R1 = lastSeen, R3 = flags and jumps to `found`,
 * read under the seqlock; anything else jumps to `policy` with the record's way in the state.
 */
export function conntrack4Lookup(found: string): ProgramSource {
  const ways: ProgramSource = Array.from({ length: CT4_WAYS }, (_, w) => scanWay(w, 'ct4_match'));
  return [
    buildKey(),
    lookupSet('ct4_no_set'),
    mov64.imm(R1, 1), // no place yet: an odd seq records nothing
    mov64.imm(R7, -1), // u64 max
    mov64.imm(R8, 0),
    ways,
    stx.w(R_STATE, R8, at('ct4Way')),
    stx.w(R_STATE, R1, at('ct4Seq')),
    ja('policy'),
    label('ct4_no_set'),
    st.w(R_STATE, 1, at('ct4Seq')), // records nothing
    ja('policy'),
    label('ct4_match'),
    // The scan's reads were plain, in any order a CPU likes: the match is read again between two
    // sequence reads that are full barriers (atomic fetch-adds of 0), so on any CPU its words are
    // read after the first and before the second, and equal even values mean one writer's words.
    add64.reg(R0, R8),
    mov64.imm(R4, 0),
    atomicFetchAdd.w(R0, R4, way('seq')), // s1
    // a match no longer alive is recorded again in its own way, if s1 still holds then
    stx.w(R_STATE, R8, at('ct4Way')),
    stx.w(R_STATE, R4, at('ct4Seq')),
    jset.imm(R4, 1, 'policy'), // a writer is inside: a miss, and an odd seq records nothing
    ldx.dw(R1, R0, KEY_WORDS.ifindex),
    ldx.dw(R2, R_STATE, at('ct4Key') + KEY_WORDS.ifindex),
    jne.reg(R1, R2, 'policy'),
    ldx.dw(R1, R0, KEY_WORDS.local),
    ldx.dw(R2, R_STATE, at('ct4Key') + KEY_WORDS.local),
    jne.reg(R1, R2, 'policy'),
    ldx.b(R1, R0, way('proto')),
    ldx.b(R2, R_STATE, at('proto')),
    jne.reg(R1, R2, 'policy'),
    ldx.dw(R1, R0, way('lastSeen')),
    ldx.b(R3, R0, way('flags')),
    mov64.imm(R5, 0),
    atomicFetchAdd.w(R0, R5, way('seq')), // s2
    jne.reg(R4, R5, 'policy'), // rewritten while we read it: a miss
    ja(found),
  ];
}

/** IPv4 record of an allowed new flow (conntrack.ts decides whether to record), to `done`. */
export function conntrack4Record(done: string): ProgramSource {
  return [
    loadMap(R1, 'conntrack'),
    statePointer(R2, 'ct4Set'),
    call(Helper.map_lookup_elem),
    jeq.imm(R0, 0, done),
    ldx.w(R3, R_STATE, at('ct4Seq')),
    jset.imm(R3, 1, done), // every way had a writer inside: record nothing
    ldx.w(R8, R_STATE, at('ct4Way')),
    and64.imm(R8, WAY_OFFSET_MASK),
    mov64.reg(R7, R0),
    add64.reg(R7, R8),
    mov64.reg(R0, R3),
    mov64.reg(R1, R3),
    add32.imm(R1, 1),
    atomicCmpXchg.w(R7, R1, way('seq')), // claim: s -> s + 1, only if still s
    jne.reg(R0, R3, done),
    ldx.dw(R1, R_STATE, at('ct4Key') + KEY_WORDS.ifindex),
    stx.dw(R7, R1, KEY_WORDS.ifindex),
    ldx.dw(R1, R_STATE, at('ct4Key') + KEY_WORDS.local),
    stx.dw(R7, R1, KEY_WORDS.local),
    ldx.b(R1, R_STATE, at('proto')),
    stx.b(R7, R1, way('proto')),
    st.b(R7, 0, way('flags')),
    ldx.dw(R1, R_STATE, at('ts')),
    stx.dw(R7, R1, way('lastSeen')),
    mov64.imm(R1, 1),
    // release: s + 2, a fetch-add so that it is a full barrier on every CPU (a BPF atomic without
    // FETCH is relaxed on arm64): the words above are visible before the even value
    atomicFetchAdd.w(R7, R1, way('seq')),
  ];
}
