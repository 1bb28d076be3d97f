// The classifier's tables without a kernel: a JavaScript model of the program's search (the same
// lookups, AND and first-set-bit walk as codegen/classifier.ts) must agree with the reference
// evaluator on random policies and packets; plus the strategy seam and the classifier's limits.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BitKind, type ClassifierTables, DPORT_BASE, ICMP_BASE, PROTO_BASE, SLOT_INFO_SIZE } from '../../../agent/datapath/codegen/classifier-tables.ts';
import { compileDirection } from '../../../agent/datapath/codegen/program.ts';
import { chooseStrategy } from '../../../agent/datapath/codegen/strategy.ts';
import { LpmKey, NO_PORT, NO_SLOT } from '../../../agent/datapath/layouts.ts';
import { CLASSIFIER_MIN_TERMS } from '../../../agent/datapath/limits.ts';
import { parseAddress } from '../../../policy/evaluation/cidr-set.ts';
import type { DirectionPolicy, MatchTerm } from '../../../policy/evaluation/endpoint-policy.ts';
import { evaluateDirection, type Packet } from '../../../policy/evaluation/evaluate.ts';
import { type Action, PROTOCOL_NUMBERS, type Protocol } from '../../../policy/ir.ts';
import { cidrs, directionPolicy, policy, rule, term, tier } from '../../dataplane/datapath/support/policies.ts';

interface Outcome {
  verdict: 'allow' | 'deny';
  /** Rule slots: Log, Pass and tier-default Pass in order, then the decision (NO_SLOT when none). */
  trace: number[];
}

function vectorOf(tables: ClassifierTables, index: number): Buffer {
  return tables.vectors.subarray(index * tables.vectorSize + tables.summaryWords * 8, (index + 1) * tables.vectorSize);
}

/** What the program computes, in JavaScript. */
function model(tables: ClassifierTables, packet: Packet): Outcome {
  const remote = parseAddress(packet.remoteIp)!;
  let best: { len: number; index: number } | undefined;
  for (let entry = 0; entry < tables.remote.count; entry++) {
    const key = LpmKey.decode(tables.remote.keys, entry * LpmKey.size);
    if (key.set !== (remote.family === 6 ? 1 : 0)) continue;
    const len = key.prefixlen - 32;
    let inside = true;
    for (let bit = 0; bit < len && inside; bit++) {
      const mask = 0x80 >> (bit & 7);
      inside = ((key.addr[bit >> 3]! ^ remote.bytes[bit >> 3]!) & mask) === 0;
    }
    if (inside && (!best || len > best.len)) best = { len, index: tables.remote.values.readUInt32LE(entry * 4) };
  }
  const proto = typeof packet.protocol === 'number' ? packet.protocol : PROTOCOL_NUMBERS[packet.protocol];
  const icmp = tables.hasIcmp && (proto === 1 || proto === 58);
  const keys = [
    PROTO_BASE + proto,
    icmp ? ICMP_BASE + (packet.icmpType ?? 0) * 256 + (packet.icmpCode ?? 0) : DPORT_BASE + (packet.dstPort ?? NO_PORT),
    ...(tables.hasSport ? [tables.sportBase + (packet.srcPort ?? NO_PORT)] : []),
  ];
  // as the program resolves them: a stored 0 is the field's default vector
  const fields = [tables.defaults.proto, tables.defaults.port, tables.defaults.sport];
  const resolved = keys.map((k, i) => (tables.stored[k] === 0 ? fields[i]! : tables.stored[k]! - 1));
  for (const [i, index] of resolved.entries()) expect(index).toBe(tables.keys[keys[i]!]);
  const vectors = [vectorOf(tables, best!.index), ...resolved.map((index) => vectorOf(tables, index))];
  const isSet = (bit: number) => vectors.every((v) => (v[bit >> 3]! >> (bit & 7)) & 1);
  const trace: number[] = [];
  for (let bit = 0; bit < tables.bits; ) {
    if (!isSet(bit)) {
      bit++;
      continue;
    }
    const at = bit * SLOT_INFO_SIZE;
    const [kind, slot, next, exceptFirst, excepts] = [0, 4, 8, 12, 16].map((o) => tables.slotInfo.readUInt32LE(at + o));
    let failed = false;
    for (let e = exceptFirst!; e < exceptFirst! + excepts!; e++) failed ||= Boolean(isSet(e));
    if (failed) {
      bit++;
      continue;
    }
    trace.push(slot!);
    if (kind === BitKind.ALLOW) return { verdict: 'allow', trace };
    if (kind === BitKind.DENY) return { verdict: 'deny', trace };
    bit = next!;
  }
  throw new Error('the search ran past the last bit');
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random direction policy (tiers, staged policies, excepts, ICMP, source ports, both families), drawn from `r`. */
function randomDirectionPolicy(r: () => number): DirectionPolicy {
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  const nets = [
    '10.0.0.0/8 except 10.1.0.0/16,10.2.0.0/24',
    '10.1.0.0/16',
    '10.1.2.0/24',
    '10.2.0.0/16 except 10.2.0.128/25',
    '2001:db8::/32',
    '10.1.2.3/32',
    '0.0.0.0/0 except 10.0.0.0/8',
  ];
  const randomTerm = (): MatchTerm => {
    const protocol = pick<Protocol | 'any'>(['any', 'TCP', 'UDP', 'ICMP']);
    const t = term(
      protocol,
      protocol === 'TCP' || protocol === 'UDP'
        ? pick<'any' | [number, number][]>([
            'any',
            [[80, 81]],
            [
              [79, 79],
              [90, 100],
            ],
          ])
        : 'any',
      r() < 0.7 ? cidrs(pick(nets)) : 'any',
    );
    if (protocol === 'ICMP' && r() < 0.5) t.icmp = { type: pick([0, 8]), ...(r() < 0.5 && { code: int(0, 1) }) };
    if (protocol === 'TCP' && r() < 0.3) t.srcPorts = [{ first: 1000, last: 1005 }];
    if (r() < 0.1) t.ipVersion = pick([4, 6] as const);
    return t;
  };
  const termWithExcepts = (): MatchTerm => {
    const t = randomTerm();
    if (r() < 0.3) t.except = Array.from({ length: int(1, 2) }, randomTerm);
    return t;
  };
  const randomPolicy = (id: string) => {
    const staged = r() < 0.2;
    const made = policy(
      id,
      Array.from({ length: int(1, 5) }, () => rule(pick<Action>(['Allow', 'Deny', 'Pass', 'Log']), ...Array.from({ length: int(1, 2) }, termWithExcepts))),
      staged,
    );
    return !staged && r() < 0.15 ? { ...made, stagedOut: true as const } : made;
  };
  const tiers = Array.from({ length: int(1, 3) }, (_, t) =>
    tier(
      `t${t}`,
      pick(['Deny', 'Pass'] as const),
      Array.from({ length: int(1, 2) }, (_, p) => randomPolicy(`t${t}p${p}`)),
      t,
    ),
  );
  return directionPolicy('ingress', tiers);
}

describe('classifier tables', () => {
  it('agree with evaluate() through a model of the program (random policies and packets)', () => {
    const r = prng(7);
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
    let compared = 0;
    let stagedCompared = 0;
    for (let i = 0; i < 80; i++) {
      const dp = randomDirectionPolicy(r);
      const compiled = compileDirection('ingress', dp, { strategy: 'classifier' });
      const tables = compiled.classifier!;
      const name = (slot: number) => {
        const s = compiled.slots[slot]!;
        return `${s.tier}/${s.policyId}/${s.ruleIndex}/${s.action}`;
      };
      for (let j = 0; j < 40; j++) {
        const protocol = pick<Protocol>(['TCP', 'UDP', 'ICMP']);
        const packet: Packet = {
          remoteIp: pick(['10.1.2.3', '10.1.2.4', '10.1.9.9', '10.2.0.200', '10.2.0.5', '10.9.9.9', '192.0.2.1', '2001:db8::5', '2001:db9::1']),
          protocol,
          ...(protocol !== 'ICMP'
            ? { dstPort: pick([79, 80, 81, 95, 443]), srcPort: pick([999, 1000, 1005, 2000]) }
            : { icmpType: pick([0, 8, 3]), icmpCode: int(0, 2) }),
        };
        const expected = evaluateDirection(dp, packet);
        const got = model(tables, packet);
        const trace = got.trace.filter((s) => s !== NO_SLOT).map(name);
        // the program counts Pass rules and Pass defaults as it meets them; evaluate() traces them
        const want = expected.trace.map((e) => `${e.tier}/${e.policyId}/${e.ruleIndex}/${e.action}`);
        const context = `policy ${i} ${JSON.stringify(dp.tiers)} packet ${JSON.stringify(packet)}`;
        expect(got.verdict, context).toBe(expected.verdict);
        expect(trace, context).toEqual(want);
        if (expected.stagedVerdict) {
          const staged = model(compiled.stagedClassifier!, packet);
          expect(staged.verdict, `staged: ${context}`).toBe(expected.stagedVerdict);
          expect(staged.trace.filter((s) => s !== NO_SLOT).map(name), `staged: ${context}`).toEqual(
            expected.stagedTrace!.map((e) => `${e.tier}/${e.policyId}/${e.ruleIndex}/${e.action}`),
          );
          stagedCompared++;
        }
        compared++;
      }
    }
    expect(compared).toBe(80 * 40);
    expect(stagedCompared).toBeGreaterThan(compared / 5);
  });

  it('holes of an address set clear its terms below the hole, and Pass continues at the next tier', () => {
    const dp = directionPolicy('ingress', [
      tier('sec', 'Pass', [policy('s', [rule('Pass', term('any', 'any', cidrs('10.0.0.0/8 except 10.1.0.0/16'))), rule('Deny', term('TCP', [[22, 22]]))])], 1),
      tier('default', 'Deny', [policy('np', [rule('Allow', term('TCP', [[22, 22]]))])], 2),
    ]);
    const tables = compileDirection('ingress', dp, { strategy: 'classifier' }).classifier!;
    // bits: 0 Pass, 1 Deny, 2 sec default (Pass), 3 Allow, 4 default Deny, 5 every tier passed
    expect(tables.bits).toBe(6);
    expect(tables.slotInfo.readUInt32LE(0 * SLOT_INFO_SIZE + 8)).toBe(3); // Pass -> the next tier's first bit
    expect(model(tables, { remoteIp: '10.2.0.1', protocol: 'TCP', dstPort: 22 }).verdict).toBe('allow');
    expect(model(tables, { remoteIp: '10.1.0.1', protocol: 'TCP', dstPort: 22 }).verdict).toBe('deny');
  });

  // Pins the bytes, so a change made for speed shows it changes none: the digest was taken before
  // the tables were built packed (LPM entries, slot infos); change it only with a change of meaning.
  it('come out byte for byte as before: instructions and every table over 60 seeded random policies', () => {
    const r = prng(11);
    const digest = createHash('sha256');
    for (let i = 0; i < 60; i++) {
      const compiled = compileDirection('ingress', randomDirectionPolicy(r), { strategy: 'classifier' });
      digest.update(JSON.stringify(compiled.assembled.instructions));
      for (const tables of [compiled.classifier!, compiled.stagedClassifier]) {
        if (!tables) continue;
        const { remote, keys, stored, vectors, slotInfo, defaults, bits, words } = tables;
        digest.update(JSON.stringify({ count: remote.count, defaults, bits, words }));
        for (const bytes of [remote.keys, remote.values, keys, stored, vectors, slotInfo])
          digest.update(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      }
    }
    expect(digest.digest('hex')).toBe('dcee8cdd3bfb7aaad5a93f2395af6091a54a8e603b76c4b481b29b05ba96a0f0');
  });
});

describe('strategy seam', () => {
  const many = (n: number, withExcept = false): DirectionPolicy =>
    directionPolicy('ingress', [
      tier('default', 'Deny', [
        policy(
          'p',
          Array.from({ length: n }, (_, i) => {
            const t = term('TCP', [[1000 + i, 1000 + i]]);
            if (withExcept && i === 0) t.except = [term('any', 'any', cidrs('10.0.0.0/8'))];
            return rule('Allow', t);
          }),
        ),
      ]),
    ]);

  it(`uses straight-line code below ${CLASSIFIER_MIN_TERMS} terms and the classifier from there on`, () => {
    expect(chooseStrategy(many(CLASSIFIER_MIN_TERMS - 1)).name).toBe('straight-line');
    expect(chooseStrategy(many(CLASSIFIER_MIN_TERMS)).name).toBe('classifier');
    expect(compileDirection('ingress', many(CLASSIFIER_MIN_TERMS)).stats.strategy).toBe('classifier');
  });

  it('takes policies with except terms too', () => {
    expect(chooseStrategy(many(CLASSIFIER_MIN_TERMS, true)).name).toBe('classifier');
    const compiled = compileDirection('ingress', many(10, true), { strategy: 'classifier' });
    expect(compiled.stats.strategy).toBe('classifier');
    // bits: 10 terms, the tier default, the final allow, then the except term
    expect(compiled.classifier!.bits).toBe(13);
    expect(compiled.classifier!.slotInfo.readUInt32LE(12)).toBe(12);
    expect(compiled.classifier!.slotInfo.readUInt32LE(16)).toBe(1);
  });

  it('refuses classifier maps above the memory limit', () => {
    expect(() => compileDirection('ingress', many(200), { limits: { classifierBytes: 10_000 } })).toThrow(/bytes of classifier maps; the limit is 10000/);
  });
});
