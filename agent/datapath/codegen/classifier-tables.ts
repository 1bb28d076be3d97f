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
import { parseCidr } from '../../../policy/validation/cidr.ts';
import { canonicalJson } from '../../../policy/bundle/canonical-json.ts';
import type { DirectionPolicy, MatchTerm, PortRange } from '../../../policy/evaluation/endpoint-policy.ts';
import { toLpmEntries } from '../../../policy/evaluation/lpm.ts';
import { LpmKey, NO_PORT, NO_SLOT } from '../layouts.ts';
import { IpProto } from './parse.ts';
import type { SlotTable } from './slots.ts';

/** Kind of a bit slot (cls_slots value). */
export const BitKind = { ALLOW: 1, DENY: 2, PASS: 3, LOG: 4 } as const;

export const PROTO_BASE = 0;
export const DPORT_BASE = 256;
export const ICMP_BASE = DPORT_BASE + NO_PORT + 1;
/**
 * cls_slots value: kind u32, rule slot u32, next bit u32 (for an except bit: the term's next except
 * bit, 0 after the last), first except bit u32 (0: none), except count u32.
 */
export const SLOT_INFO_SIZE = 20;

const PROTOCOL_NUMBER: Readonly<Record<string, number>> = {
  TCP: IpProto.TCP, UDP: IpProto.UDP, SCTP: IpProto.SCTP, ICMP: IpProto.ICMP, ICMPv6: IpProto.ICMPV6,
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
  /** LPM trie entries: LpmKey -> u32 vector index. */
  remote: { key: Buffer; value: Buffer }[];
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
  /** Array cls_vectors: (summaryWords + words) * 8 bytes each. */
  vectors: Buffer[];
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

class Vec {
  readonly w: Uint32Array;
  constructor(words: number, from?: Vec) {
    this.w = from ? from.w.slice() : new Uint32Array(words * 2);
  }
  set(bit: number): void {
    this.w[bit >>> 5]! |= 1 << (bit & 31);
  }
  clear(bit: number): void {
    this.w[bit >>> 5]! &= ~(1 << (bit & 31));
  }
}

export function buildClassifier(policy: DirectionPolicy, slots: SlotTable, mode: EvaluationMode = 'enforced'): ClassifierTables {
  const terms: TermBit[] = [];
  const info: { kind: number; rule: number; next: number; exceptFirst: number; excepts: number }[] = [];
  const withExcepts: { bit: number; except: MatchTerm[] }[] = [];
  const always: number[] = [];
  for (const tier of policy.tiers) {
    const policies = policiesOf(tier, mode);
    if (policies.length === 0) continue;
    const tierPass: number[] = [];
    for (const p of policies) {
      for (const rule of p.rules) {
        const rule_slot = slots.slotOf({ tier: tier.name, policyId: p.id, ruleIndex: rule.index, action: rule.action }, p.staged);
        const first = info.length;
        for (const term of rule.terms) {
          const bit = info.length;
          terms.push({ bit, term });
          const kind = { Allow: BitKind.ALLOW, Deny: BitKind.DENY, Pass: BitKind.PASS, Log: BitKind.LOG }[rule.action];
          info.push({ kind, rule: rule_slot, next: 0, exceptFirst: 0, excepts: 0 });
          if (term.except?.length) withExcepts.push({ bit, except: term.except });
          if (rule.action === 'Pass') tierPass.push(bit);
        }
        // Log: once per rule, so continue after the rule's last term
        for (let b = first; b < info.length; b++) info[b]!.next = info.length;
      }
    }
    const last = policies[policies.length - 1]!;
    const defaultSlot = slots.slotOf({ tier: tier.name, policyId: last.id, ruleIndex: 'default', action: tier.defaultAction }, last.staged);
    const bit = info.length;
    always.push(bit);
    info.push({ kind: tier.defaultAction === 'Deny' ? BitKind.DENY : BitKind.PASS, rule: defaultSlot, next: bit + 1, exceptFirst: 0, excepts: 0 });
    for (const b of tierPass) info[b]!.next = bit + 1;
  }
  always.push(info.length);
  info.push({ kind: BitKind.ALLOW, rule: NO_SLOT, next: info.length + 1, exceptFirst: 0, excepts: 0 });
  for (const { bit, except } of withExcepts) {
    info[bit]!.exceptFirst = info.length;
    info[bit]!.excepts = except.length;
    except.forEach((e, k) => {
      terms.push({ bit: info.length, term: e });
      // next: the term's following except bit, 0 after the last (bit 0 is never an except bit)
      info.push({ kind: 0, rule: NO_SLOT, next: k < except.length - 1 ? info.length + 1 : 0, exceptFirst: 0, excepts: 0 });
    });
  }

  const bits = info.length;
  const words = Math.ceil(bits / 64);
  const summaryWords = Math.ceil(words / 64);
  const base = new Vec(words);
  for (const b of always) base.set(b);

  const vectors: Buffer[] = [];
  const known = new Map<string, number>();
  const intern = (v: Vec): number => {
    const data = Buffer.from(v.w.buffer, v.w.byteOffset, v.w.byteLength);
    const summary = Buffer.alloc(summaryWords * 8);
    for (let w = 0; w < words; w++) {
      if (v.w[2 * w] !== 0 || v.w[2 * w + 1] !== 0) summary[w >>> 3]! |= 1 << (w & 7);
    }
    const value = Buffer.concat([summary, data]);
    const key = value.toString('base64');
    let i = known.get(key);
    if (i === undefined) {
      i = vectors.length;
      known.set(key, i);
      vectors.push(value);
    }
    return i;
  };
  const vectorWhere = (pred: (t: MatchTerm) => boolean): number => {
    const v = new Vec(words, base);
    for (const { bit, term } of terms) if (pred(term)) v.set(bit);
    return intern(v);
  };

  // protocol
  const hasIcmp = terms.some((t) => t.term.icmp !== undefined);
  const hasSport = terms.some((t) => t.term.srcPorts !== undefined);
  const sportBase = hasIcmp ? ICMP_BASE + 65536 : ICMP_BASE;
  const keys = new Uint32Array(sportBase + (hasSport ? NO_PORT + 1 : 0));
  for (let proto = 0; proto < 256; proto++) {
    keys[PROTO_BASE + proto] = vectorWhere(
      (t) => (t.protocol === 'any' || PROTOCOL_NUMBER[t.protocol] === proto) && (t.protocolNumber === undefined || t.protocolNumber === proto),
    );
  }

  // port ranges: a sweep over the ranges' boundaries, one vector per elementary interval
  const sweep = (region: number, rangesOf: (t: MatchTerm) => readonly PortRange[] | 'all' | 'none') => {
    const v = new Vec(words, base);
    const events = new Map<number, { add: number[]; remove: number[] }>();
    const at = (x: number) => {
      let e = events.get(x);
      if (!e) events.set(x, (e = { add: [], remove: [] }));
      return e;
    };
    for (const { bit, term } of terms) {
      const ranges = rangesOf(term);
      if (ranges === 'all') v.set(bit);
      else if (ranges !== 'none') for (const r of ranges) (at(r.first).add.push(bit), at(r.last + 1).remove.push(bit));
    }
    at(0);
    at(NO_PORT); // NO_PORT (protocols without ports) is outside every range
    const points = [...events.keys()].sort((a, b) => a - b);
    points.forEach((x, i) => {
      const e = events.get(x)!;
      for (const b of e.remove) v.clear(b);
      for (const b of e.add) v.set(b);
      const end = Math.min(points[i + 1] ?? NO_PORT + 1, NO_PORT + 1);
      if (x > NO_PORT) return;
      if (x === NO_PORT) {
        keys[region + NO_PORT] = vectorWhere((t) => rangesOf(t) === 'all');
        return;
      }
      keys.fill(intern(v), region + x, region + end);
    });
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
  const remote: { key: Buffer; value: Buffer }[] = [];
  const setTerms = new Map<string, { set: MatchTerm['remote']; bits: TermBit[] }>();
  for (const tb of terms) {
    if (tb.term.remote === 'any') continue;
    const k = canonicalJson(tb.term.remote);
    let e = setTerms.get(k);
    if (!e) setTerms.set(k, (e = { set: tb.term.remote, bits: [] }));
    e.bits.push(tb);
  }
  for (const family of [4, 6] as const) {
    const width = family === 4 ? 32 : 128;
    const ok = (t: MatchTerm) => t.ipVersion === undefined || t.ipVersion === family;
    const marks = new Map<string, { addr: bigint; len: number; bytes: Uint8Array; ops: { bits: TermBit[]; member: boolean }[] }>();
    for (const { set, bits: tbs } of setTerms.values()) {
      if (set === 'any') continue;
      for (const entry of toLpmEntries(set)) {
        if (entry.family !== family) continue;
        const parsed = parseCidr(entry.cidr);
        if (!parsed.ok) throw new Error(`invalid CIDR ${entry.cidr}`);
        let m = marks.get(entry.cidr);
        if (!m) {
          const addr = parsed.cidr.bytes.reduce((a, b) => (a << 8n) | BigInt(b), 0n);
          marks.set(entry.cidr, (m = { addr, len: parsed.cidr.prefix, bytes: parsed.cidr.bytes, ops: [] }));
        }
        m.ops.push({ bits: tbs, member: entry.member });
      }
    }
    const root = new Vec(words, base);
    for (const { bit, term } of terms) if (term.remote === 'any' && ok(term)) root.set(bit);
    const encode = (len: number, bytes: Uint8Array, v: Vec) => {
      const addr = new Uint8Array(16);
      addr.set(bytes);
      const value = Buffer.alloc(4);
      value.writeUInt32LE(intern(v));
      remote.push({ key: LpmKey.encode({ prefixlen: 32 + len, set: family === 6 ? 1 : 0, addr }), value });
    };
    const apply = (v: Vec, ops: { bits: TermBit[]; member: boolean }[]) => {
      for (const op of ops) for (const { bit, term } of op.bits) if (ok(term)) (op.member ? v.set(bit) : v.clear(bit));
    };
    // a set listing the whole family (/0) marks the root itself: one entry per key
    const ordered = [...marks.values()].sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : a.len - b.len));
    for (const m of ordered) if (m.len === 0) apply(root, m.ops);
    encode(0, new Uint8Array(16), root);
    const stack: { addr: bigint; len: number; v: Vec }[] = [{ addr: 0n, len: 0, v: root }];
    const contains = (outer: { addr: bigint; len: number }, addr: bigint) =>
      outer.len === 0 || outer.addr >> BigInt(width - outer.len) === addr >> BigInt(width - outer.len);
    for (const m of ordered) {
      if (m.len === 0) continue;
      while (!contains(stack[stack.length - 1]!, m.addr)) stack.pop();
      const v = new Vec(words, stack[stack.length - 1]!.v);
      apply(v, m.ops);
      stack.push({ addr: m.addr, len: m.len, v });
      encode(m.len, m.bytes, v);
    }
  }

  const commonest = (from: number, to: number): number => {
    const counts = new Map<number, number>();
    for (let i = from; i < to; i++) counts.set(keys[i]!, (counts.get(keys[i]!) ?? 0) + 1);
    let best = 0;
    let most = -1;
    for (const [v, n] of counts) if (n > most) [best, most] = [v, n];
    return best;
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

  const slotInfo = Buffer.alloc(bits * SLOT_INFO_SIZE);
  info.forEach((s, i) => {
    slotInfo.writeUInt32LE(s.kind, i * SLOT_INFO_SIZE);
    slotInfo.writeUInt32LE(s.rule >>> 0, i * SLOT_INFO_SIZE + 4);
    slotInfo.writeUInt32LE(s.next, i * SLOT_INFO_SIZE + 8);
    slotInfo.writeUInt32LE(s.exceptFirst, i * SLOT_INFO_SIZE + 12);
    slotInfo.writeUInt32LE(s.excepts, i * SLOT_INFO_SIZE + 16);
  });
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
    vectors,
    slotInfo,
    bytes: remote.length * (LpmKey.size + 4) + keys.length * 4 + vectors.length * vectorBytes + slotInfo.length,
  };
}
