// The map-driven classifier's tables (bpf-iptables, Miano et al.), built in TypeScript, loaded by
// load.ts. Every term of the enforced evaluation gets one bit, in evaluation order (tiers, policies,
// rules, terms); each enforced tier ends with an always-set bit for its default action, and the
// last bit ("every tier passed: allow") is always set too. Per packet field a lookup yields a bit
// vector of the terms that field value satisfies; the AND of the vectors has a bit set exactly for
// the terms the packet matches, and the first set bit (after Pass/Log continuations) decides.
//
//   remote address  LPM trie (family word + address) -> vector index. One entry per distinct prefix
//                   of every set (CIDRs and `except` holes) plus a /0 per family; the vector of a
//                   prefix has the terms whose set holds the addresses whose longest match it is,
//                   the 'any' terms, and respects ipVersion.
//   protocol        keys[PROTO_BASE + proto] -> vector index (protocol, protocolNumber)
//   dport / ICMP    keys[DPORT_BASE + dport] (NO_PORT for protocols without ports), or for ICMP and
//                   ICMPv6 packets, when some term has an ICMP type: keys[ICMP_BASE + type*256 + code]
//   sport           keys[SPORT_BASE + sport], only when some term has srcPorts
//
// Vectors are deduplicated (equal vectors share an index). A vector value is S summary words
// (bit j: data word j is not zero) followed by W data words: the search skips words whose
// summaries AND to zero, so a packet's cost grows with the words that hold candidates, not with W.
// `except` terms (notPorts, notPeers, ...) get bits of their own after the final allow bit, where
// the search never stops; a term bit with excepts names them (first bit, count) and the program
// tests each before acting: one that matches fails the term, and the search goes on at the next bit.
// The staged ("would have been") evaluation gets its own tables, built the same way from every
// policy but the stagedOut ones (tiers with none of them skipped), in maps of its own.
import { cidrSetText, compareCidr } from '../../../policy/evaluation/cidr-set.ts';
import type { DirectionPolicy, MatchTerm, PortRange } from '../../../policy/evaluation/endpoint-policy.ts';
import { lpmPrefixes } from '../../../policy/evaluation/lpm.ts';
import { cidrContains, formatCidr, type ParsedCidr } from '../../../policy/validation/cidr.ts';
import { LpmKey, NO_PORT, NO_SLOT } from '../layouts.ts';
import { IpProto } from './parse.ts';
import type { SlotTable } from './slots.ts';
import { BitVector, VectorStore } from './vector-store.ts';

/** Kind of a bit slot (cls_slots value). */
export const BitKind = { ALLOW: 1, DENY: 2, PASS: 3, LOG: 4 } as const;

const KIND_OF_ACTION = { Allow: BitKind.ALLOW, Deny: BitKind.DENY, Pass: BitKind.PASS, Log: BitKind.LOG } as const;

export const PROTO_BASE = 0;
export const DPORT_BASE = 256;
export const ICMP_BASE = DPORT_BASE + NO_PORT + 1;
/**
 * cls_slots value: kind u32, rule slot u32, next bit u32 (for an except bit: the term's next except
 * bit, 0 after the last), first except bit u32 (0: none), except count u32.
 */
export const SLOT_INFO_SIZE = 20;

const PROTOCOL_NUMBER: Readonly<Record<string, number>> = {
  TCP: IpProto.TCP,
  UDP: IpProto.UDP,
  SCTP: IpProto.SCTP,
  ICMP: IpProto.ICMP,
  ICMPv6: IpProto.ICMPV6,
};

export interface ClassifierTables {
  /** Bits (term slots, tier defaults, the final allow). */
  bits: number;
  /** Data words per vector, and summary words before them. */
  words: number;
  summaryWords: number;
  hasIcmp: boolean;
  hasSport: boolean;
  sportBase: number;
  /**
   * LPM trie entries, packed as the map is filled: `count` LpmKeys back to back in `keys`, and their
   * u32 vector indexes in `values` (IPv4's entries, then IPv6's).
   */
  remote: { count: number; keys: Buffer; values: Buffer };
  /** Every key's vector index (what the program resolves a key to). */
  keys: Uint32Array;
  /**
   * What the cls_keys array holds: 0 = the field's default vector (the most common one, a
   * constant in the code), else vector index + 1. Only non-zero entries are written at load, so a
   * small policy does not pay 131,000 map updates for its port arrays.
   */
  stored: Uint32Array;
  /** Default vector index per field (proto; dport and ICMP; sport). */
  defaults: { proto: number; port: number; sport: number };
  /** Array cls_vectors: `vectorCount` values of `vectorSize` = (summaryWords + words) * 8 bytes, back to back. */
  vectors: Buffer;
  vectorCount: number;
  vectorSize: number;
  /** Array cls_slots: SLOT_INFO_SIZE bytes per bit. */
  slotInfo: Buffer;
  /** Bytes the maps hold (values and keys), for the report. */
  bytes: number;
}

interface TermBit {
  bit: number;
  term: MatchTerm;
}

export type EvaluationMode = 'enforced' | 'staged';

/** The policies an evaluation walks: enforced ones, or (staged) all but those a staged one replaces. */
export function policiesOf(tier: DirectionPolicy['tiers'][number], mode: EvaluationMode) {
  return tier.policies.filter((p) => (mode === 'enforced' ? !p.staged : !p.stagedOut));
}

/** u32 fields per bit in SlotInfo (and in a cls_slots value). */
const SLOT_FIELDS = SLOT_INFO_SIZE / 4;

/**
 * The cls_slots values of the bits so far, one after another in a growing typed array: an object
 * per bit was 10,000 and more of them at 10,000 rules, all kept until the build ended.
 */
class SlotInfo {
  private fields = new Uint32Array(SLOT_FIELDS * 1024);
  length = 0;

  /** A new bit with its kind, rule slot and next bit (no excepts yet); its number. */
  push(kind: number, rule: number, next: number): number {
    const bit = this.length++;
    if (this.length * SLOT_FIELDS > this.fields.length) {
      const grown = new Uint32Array(this.fields.length * 2);
      grown.set(this.fields);
      this.fields = grown;
    }
    const at = bit * SLOT_FIELDS;
    this.fields[at] = kind;
    this.fields[at + 1] = rule;
    this.fields[at + 2] = next;
    return bit;
  }

  setNext(bit: number, next: number): void {
    this.fields[bit * SLOT_FIELDS + 2] = next;
  }

  setExcepts(bit: number, first: number, count: number): void {
    this.fields[bit * SLOT_FIELDS + 3] = first;
    this.fields[bit * SLOT_FIELDS + 4] = count;
  }

  /** The cls_slots array's values: each field a little-endian u32, SLOT_INFO_SIZE bytes per bit. */
  encode(): Buffer {
    const out = Buffer.alloc(this.length * SLOT_INFO_SIZE);
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (let i = 0; i < this.length * SLOT_FIELDS; i++) view.setUint32(i * 4, this.fields[i]!, true);
    return out;
  }
}

export function buildClassifier(policy: DirectionPolicy, slots: SlotTable, mode: EvaluationMode = 'enforced'): ClassifierTables {
  const terms: TermBit[] = [];
  const info = new SlotInfo();
  const withExcepts: { bit: number; except: MatchTerm[] }[] = [];
  const always: number[] = [];
  for (const tier of policy.tiers) {
    const policies = policiesOf(tier, mode);
    if (policies.length === 0) continue;
    const tierPass: number[] = [];
    for (const p of policies) {
      for (let r = 0; r < p.rules.length; r++) {
        const rule = p.rules[r]!;
        const rule_slot = slots.slotOf({ tier: tier.name, policyId: p.id, ruleIndex: rule.index, action: rule.action }, p.staged);
        const first = info.length;
        for (let t = 0; t < rule.terms.length; t++) {
          const term = rule.terms[t]!;
          const bit = info.push(KIND_OF_ACTION[rule.action], rule_slot, 0);
          terms.push({ bit, term });
          if (term.except?.length) withExcepts.push({ bit, except: term.except });
          if (rule.action === 'Pass') tierPass.push(bit);
        }
        // Log: once per rule, so continue after the rule's last term
        for (let b = first; b < info.length; b++) info.setNext(b, info.length);
      }
    }
    const last = policies[policies.length - 1]!;
    const defaultSlot = slots.slotOf({ tier: tier.name, policyId: last.id, ruleIndex: 'default', action: tier.defaultAction }, last.staged);
    const bit = info.push(tier.defaultAction === 'Deny' ? BitKind.DENY : BitKind.PASS, defaultSlot, info.length + 1);
    always.push(bit);
    for (const b of tierPass) info.setNext(b, bit + 1);
  }
  always.push(info.push(BitKind.ALLOW, NO_SLOT, info.length + 1));
  for (const { bit, except } of withExcepts) {
    info.setExcepts(bit, info.length, except.length);
    except.forEach((e, k) => {
      // next: the term's following except bit, 0 after the last (bit 0 is never an except bit)
      terms.push({ bit: info.push(0, NO_SLOT, k < except.length - 1 ? info.length + 1 : 0), term: e });
    });
  }

  const bits = info.length;
  const words = Math.ceil(bits / 64);
  const summaryWords = Math.ceil(words / 64);
  const base = new BitVector(words);
  for (const b of always) base.set(b);

  // Distinct vectors: in policies like the benchmark's about one per term (a remote prefix or a port
  // interval each); sized so, the store does not grow by copying, and grows past it when needed.
  const vectorStore = new VectorStore(words, summaryWords, terms.length + 16);
  const intern = (v: BitVector): number => vectorStore.intern(v);
  const vectorWhere = (pred: (t: MatchTerm) => boolean): number => {
    const v = new BitVector(words, base);
    for (let i = 0; i < terms.length; i++) if (pred(terms[i]!.term)) v.set(terms[i]!.bit);
    return intern(v);
  };

  // protocol
  const hasIcmp = terms.some((t) => t.term.icmp !== undefined);
  const hasSport = terms.some((t) => t.term.srcPorts !== undefined);
  const sportBase = hasIcmp ? ICMP_BASE + 65536 : ICMP_BASE;
  const keys = new Uint32Array(sportBase + (hasSport ? NO_PORT + 1 : 0));
  // Only protocols some term names get a vector of their own; every other protocol number matches
  // exactly the terms without a protocol condition, so those share one.
  const protocolMatches = (t: MatchTerm, proto: number) =>
    (t.protocol === 'any' || PROTOCOL_NUMBER[t.protocol] === proto) && (t.protocolNumber === undefined || t.protocolNumber === proto);
  const named = new Set<number>();
  for (let i = 0; i < terms.length; i++) {
    const { term } = terms[i]!;
    if (term.protocol !== 'any') named.add(PROTOCOL_NUMBER[term.protocol]!);
    if (term.protocolNumber !== undefined) named.add(term.protocolNumber);
  }
  const unnamed = named.size < 256 ? vectorWhere((t) => t.protocol === 'any' && t.protocolNumber === undefined) : 0;
  keys.fill(unnamed, PROTO_BASE, PROTO_BASE + 256);
  for (const proto of named) keys[PROTO_BASE + proto] = vectorWhere((t) => protocolMatches(t, proto));

  // port ranges: a sweep over the ranges' boundaries, one vector per elementary interval. The
  // boundaries are numbers in one sorted typed array (a Map of per-point lists was 20,000 objects at
  // 10,000 rules): (point * 2 + 1 for a range's start, or * 2 for the point after its end) * span +
  // bit, so at each point a range's bit is cleared before another's is set, as they were before.
  // Exact while (2 * NO_PORT + 2) * span < 2^53: for fewer than 2^35 bits.
  const span = 2 ** Math.ceil(Math.log2(bits + 1));
  const sweep = (region: number, rangesOf: (t: MatchTerm) => readonly PortRange[] | 'all' | 'none') => {
    const v = new BitVector(words, base);
    const events: number[] = [];
    for (let i = 0; i < terms.length; i++) {
      const { bit, term } = terms[i]!;
      const ranges = rangesOf(term);
      if (ranges === 'all') v.set(bit);
      else if (ranges !== 'none') {
        for (let j = 0; j < ranges.length; j++) events.push((ranges[j]!.first * 2 + 1) * span + bit, (ranges[j]!.last + 1) * 2 * span + bit);
      }
    }
    const sorted = Float64Array.from(events).sort();
    const pointOf = (event: number) => Math.floor(event / span / 2);
    // every point from 0 to NO_PORT (protocols without ports, outside every range) starts an interval
    let next = 0;
    for (let x = 0; ; x = Math.min(pointOf(sorted[next] ?? Infinity), NO_PORT)) {
      for (; next < sorted.length && pointOf(sorted[next]!) <= x; next++) {
        const event = sorted[next]!;
        const bit = event % span;
        if (Math.floor(event / span) % 2 === 1) v.set(bit);
        else v.clear(bit);
      }
      if (x === NO_PORT) {
        keys[region + NO_PORT] = vectorWhere((t) => rangesOf(t) === 'all');
        return;
      }
      keys.fill(intern(v), region + x, region + Math.min(pointOf(sorted[next] ?? Infinity), NO_PORT));
    }
  };
  sweep(DPORT_BASE, (t) => (t.ports === 'any' ? (t.icmp ? 'none' : 'all') : t.ports));
  if (hasSport) sweep(sportBase, (t) => t.srcPorts ?? 'all');
  if (hasIcmp) {
    const plain = vectorWhere((t) => t.ports === 'any' && !t.icmp);
    keys.fill(plain, ICMP_BASE, ICMP_BASE + 65536);
    const types = new Set(terms.flatMap((t) => (t.term.icmp ? [t.term.icmp.type] : [])));
    for (const type of types) {
      const codes = new Set(terms.flatMap((t) => (t.term.icmp?.type === type && t.term.icmp.code !== undefined ? [t.term.icmp.code] : [])));
      const matches = (t: MatchTerm, code: number) =>
        t.ports === 'any' && (!t.icmp || (t.icmp.type === type && (t.icmp.code === undefined || t.icmp.code === code)));
      const other = vectorWhere((t) => matches(t, -1));
      keys.fill(other, ICMP_BASE + type * 256, ICMP_BASE + type * 256 + 256);
      for (const code of codes) keys[ICMP_BASE + type * 256 + code] = vectorWhere((t) => matches(t, code));
    }
  }

  // remote: per family, the distinct prefixes in preorder; a prefix's vector is its parent's with
  // the marks of the sets listing it applied (member: set, hole: clear)
  const remoteKeys: Buffer[] = [];
  const remoteValues: Buffer[] = [];
  let remoteCount = 0;
  const setTerms = new Map<string, { set: MatchTerm['remote']; bits: TermBit[] }>();
  for (let i = 0; i < terms.length; i++) {
    const tb = terms[i]!;
    if (tb.term.remote === 'any') continue;
    const k = cidrSetText(tb.term.remote);
    entryOf(setTerms, k, () => ({ set: tb.term.remote, bits: [] })).bits.push(tb);
  }
  // each set's LPM entries once, for both families
  const setEntries = [...setTerms.values()].map(({ set, bits: tbs }) => ({ bits: tbs, entries: set === 'any' ? [] : lpmPrefixes(set) }));
  for (const family of [4, 6] as const) {
    const ok = (t: MatchTerm) => t.ipVersion === undefined || t.ipVersion === family;
    const marks = new Map<number | string, { cidr: ParsedCidr; ops: { bits: TermBit[]; member: boolean }[] }>();
    for (let i = 0; i < setEntries.length; i++) {
      const { bits: tbs, entries } = setEntries[i]!;
      for (let j = 0; j < entries.length; j++) {
        const entry = entries[j]!;
        if (entry.cidr.family !== family) continue;
        entryOf(marks, prefixKey(entry.cidr), () => ({ cidr: entry.cidr, ops: [] })).ops.push({ bits: tbs, member: entry.member });
      }
    }
    const root = new BitVector(words, base);
    for (let i = 0; i < terms.length; i++) if (terms[i]!.term.remote === 'any' && ok(terms[i]!.term)) root.set(terms[i]!.bit);
    // by address then prefix length: every prefix comes after the prefixes that contain it
    const ordered = [...marks.values()].sort((a, b) => compareCidr(a.cidr, b.cidr));
    // the family's entries (the root, then every prefix but /0) written packed into two buffers,
    // as the map is filled: no object or view per prefix (20,000 of each at 10,000 rules)
    let entries = 1;
    for (let i = 0; i < ordered.length; i++) if (ordered[i]!.cidr.prefix !== 0) entries++;
    const keyBytes = Buffer.alloc(entries * LpmKey.size);
    const valueBytes = Buffer.alloc(entries * 4);
    const key = { prefixlen: 0, set: family === 6 ? 1 : 0, addr: new Uint8Array(16) };
    let written = 0;
    const encode = (len: number, bytes: Uint8Array, v: BitVector) => {
      key.addr.fill(0);
      key.addr.set(bytes);
      key.prefixlen = 32 + len;
      LpmKey.encodeInto(keyBytes, written * LpmKey.size, key);
      valueBytes.writeUInt32LE(intern(v), written * 4);
      written++;
    };
    const apply = (v: BitVector, ops: { bits: TermBit[]; member: boolean }[]) => {
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i]!;
        for (let j = 0; j < op.bits.length; j++) {
          const { bit, term } = op.bits[j]!;
          if (ok(term)) op.member ? v.set(bit) : v.clear(bit);
        }
      }
    };
    // a set listing the whole family (/0) marks the root itself: one entry per key
    for (let i = 0; i < ordered.length; i++) if (ordered[i]!.cidr.prefix === 0) apply(root, ordered[i]!.ops);
    encode(0, new Uint8Array(16), root);
    // the open prefixes, each with its vector; vectors are reused by depth (at most one per prefix length)
    const stack: { cidr: ParsedCidr | null; v: BitVector }[] = [{ cidr: null, v: root }];
    const scratch: BitVector[] = [];
    for (let i = 0; i < ordered.length; i++) {
      const m = ordered[i]!;
      if (m.cidr.prefix === 0) continue;
      for (let top = stack[stack.length - 1]!; top.cidr && !cidrContains(top.cidr, m.cidr); top = stack[stack.length - 1]!) stack.pop();
      const depth = stack.length;
      scratch[depth] ??= new BitVector(words);
      const v = scratch[depth];
      v.copyFrom(stack[depth - 1]!.v);
      apply(v, m.ops);
      stack.push({ cidr: m.cidr, v });
      encode(m.cidr.prefix, m.cidr.bytes, v);
    }
    remoteKeys.push(keyBytes);
    remoteValues.push(valueBytes);
    remoteCount += written;
  }
  const remote = { count: remoteCount, keys: Buffer.concat(remoteKeys), values: Buffer.concat(remoteValues) };

  // Counted in an array by vector index (a Map of 10,000 counters cost more than the rest of this
  // tail); ties go to the vector met first, as they did in the Map's insertion order.
  const counts = new Uint32Array(vectorStore.count);
  const commonest = (from: number, to: number): number => {
    counts.fill(0);
    let most = 0;
    for (let i = from; i < to; i++) most = Math.max(most, ++counts[keys[i]!]!);
    for (let i = from; i < to; i++) if (counts[keys[i]!] === most) return keys[i]!;
    return 0;
  };
  const defaults = {
    proto: commonest(PROTO_BASE, PROTO_BASE + 256),
    port: commonest(DPORT_BASE, sportBase),
    sport: hasSport ? commonest(sportBase, keys.length) : 0,
  };
  const stored = new Uint32Array(keys.length);
  const store = (from: number, to: number, fallback: number) => {
    for (let i = from; i < to; i++) stored[i] = keys[i] === fallback ? 0 : keys[i]! + 1;
  };
  store(PROTO_BASE, PROTO_BASE + 256, defaults.proto);
  store(DPORT_BASE, sportBase, defaults.port);
  store(sportBase, keys.length, defaults.sport);

  const slotInfo = info.encode();
  const vectorBytes = (summaryWords + words) * 8;
  return {
    bits,
    words,
    summaryWords,
    hasIcmp,
    hasSport,
    sportBase,
    remote,
    keys,
    stored,
    defaults,
    vectors: vectorStore.encode(),
    vectorCount: vectorStore.count,
    vectorSize: vectorBytes,
    slotInfo,
    bytes: remote.count * (LpmKey.size + 4) + keys.length * 4 + vectorStore.count * vectorBytes + slotInfo.length,
  };
}

/**
 * One key per distinct prefix: an IPv4 prefix as a number (address * 64 + length, below 2^38), an
 * IPv6 one as its canonical text.
 */
function prefixKey(cidr: ParsedCidr): number | string {
  if (cidr.family === 6) return formatCidr(cidr);
  const [a = 0, b = 0, c = 0, d = 0] = cidr.bytes;
  return (((a << 24) | (b << 16) | (c << 8) | d) >>> 0) * 64 + cidr.prefix;
}

/** The map's entry for `key`, made by `make` and stored on first use. */
function entryOf<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let entry = map.get(key);
  if (entry === undefined) {
    entry = make();
    map.set(key, entry);
  }
  return entry;
}
