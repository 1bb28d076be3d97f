// Property: for random policies and random packets (seeded), the program's verdict, deciding rule,
// Log events and staged verdict equal policy/evaluation's reference evaluator. Set PALISADE_SEED to
// replay a failure; the failing seed, policy and packet are in the assertion message.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RuleIdentity } from '../../../agent/datapath/codegen/slots.ts';
import { parseBlock, toCidrSet } from '../../../policy/evaluation/cidr-set.ts';
import type { CidrSet, DirectionPolicy, MatchTerm, ResolvedPolicy, ResolvedTier } from '../../../policy/evaluation/endpoint-policy.ts';
import { evaluateDirection, type Packet, type TraceEntry } from '../../../policy/evaluation/evaluate.ts';
import { directionPolicyHash } from '../../../policy/evaluation/hash.ts';
import { mergePortRanges } from '../../../policy/evaluation/ports.ts';
import { normaliseTerms } from '../../../policy/evaluation/terms.ts';
import type { Action, Direction, Protocol } from '../../../policy/ir.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable } from '../bpf/harness.ts';
import { createDatapath, type Datapath } from './support/harness.ts';
import { icmp, icmpv6, ipPacket, rawTransport, sctp, type Transport, tcp, udp } from './support/packets.ts';

const POLICIES = 60;
const PACKETS_PER_POLICY = 12;
const SEED = Number(process.env.PALISADE_SEED ?? 0x5eed_2024);

/** mulberry32: small, fast, good enough to pick test cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(readonly next: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  times<T>(lo: number, hi: number, make: (i: number) => T): T[] {
    return Array.from({ length: this.int(lo, hi) }, (_, i) => make(i));
  }
}

// A small address and port universe, so random rules and packets meet often.
const v4Address = (g: Gen) => `10.${g.int(0, 3)}.${g.int(0, 3)}.${g.pick([0, 1, 17, 128, 200, 255])}`;
const v6Address = (g: Gen) => `2001:db8:${g.int(0, 3)}:${g.int(0, 3)}::${g.pick(['0', '1', '11', '8000', 'ffff'])}`;

function v4Cidr(g: Gen, within?: { base: number[]; prefix: number }): string {
  const prefix = within ? g.int(within.prefix + 1, 32) : g.pick([8, 14, 16, 20, 24, 26, 32]);
  const bytes = within ? [...within.base] : [10, g.int(0, 3), g.int(0, 3), g.pick([0, 17, 128, 200])];
  if (within) for (let i = 0; i < 4; i++) if (i * 8 >= within.prefix) bytes[i] = g.int(0, 3) * (i === 3 ? 64 : 1);
  const value = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const masked = prefix === 0 ? 0 : (value & (~0 << (32 - prefix))) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (masked >>> s) & 255).join('.')}/${prefix}`;
}

function v6Cidr(g: Gen): string {
  const prefix = g.pick([32, 40, 48, 56, 64, 128]);
  const groups = [0x2001, 0xdb8, g.int(0, 3), g.int(0, 3), 0, 0, 0, prefix === 128 ? g.pick([0, 1, 0x11]) : 0];
  const keep = Math.ceil(prefix / 16);
  const masked = groups.map((x, i) => (i < keep ? x : 0));
  if (prefix % 16 && keep > 0) masked[keep - 1] = masked[keep - 1]! & (0xffff << (16 - (prefix % 16)));
  return `${masked.map((x) => x.toString(16)).join(':')}/${prefix}`;
}

function cidrSet(g: Gen): CidrSet {
  return toCidrSet(
    g.times(1, 3, () => {
      if (g.chance(0.3)) return parseBlock({ cidr: v6Cidr(g), except: [] });
      const cidr = v4Cidr(g);
      const [base, prefix] = [cidr.split('/')[0]!.split('.').map(Number), Number(cidr.split('/')[1])];
      const except = prefix < 30 && g.chance(0.4) ? g.times(1, 2, () => v4Cidr(g, { base, prefix })) : [];
      return parseBlock({ cidr, except: [...new Set(except)].filter((e) => e !== cidr) });
    }),
  );
}

const PORT_PROTOCOLS: Protocol[] = ['TCP', 'UDP', 'SCTP'];

const ICMP_TYPES = { ICMP: [0, 3, 8, 11], ICMPv6: [1, 3, 128, 129] } as const;
const OTHER_PROTOCOL = 47; // GRE: a protocol the IR has no name for

function portRanges(g: Gen, lo: number, hi: number) {
  return mergePortRanges(
    g.times(1, 3, () => {
      const first = g.int(lo, hi - 2);
      return { first, last: g.chance(0.5) ? first : g.int(first, hi) };
    }),
  );
}

/** A term with the optional conditions (protocol number, IP version, ICMP, source ports) now and then. */
function basicTerm(g: Gen, remoteChance: number): MatchTerm {
  if (g.chance(0.07)) {
    return { protocol: 'any', ports: 'any', protocolNumber: OTHER_PROTOCOL, remote: g.chance(remoteChance) ? cidrSet(g) : 'any' };
  }
  const protocol = g.pick<Protocol | 'any'>(['any', 'TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6', 'TCP', 'UDP']);
  const portProtocol = protocol !== 'any' && PORT_PROTOCOLS.includes(protocol);
  const ports = portProtocol && g.chance(0.7) ? portRanges(g, 75, 92) : 'any';
  const term: MatchTerm = { protocol, ports, remote: g.chance(remoteChance) ? cidrSet(g) : 'any' };
  if (g.chance(0.15)) term.ipVersion = g.pick([4, 6] as const);
  if ((protocol === 'ICMP' || protocol === 'ICMPv6') && g.chance(0.5)) {
    term.icmp = { type: g.pick(ICMP_TYPES[protocol]), ...(g.chance(0.5) && { code: g.int(0, 2) }) };
  }
  if (portProtocol && g.chance(0.3)) term.srcPorts = portRanges(g, 1000, 1012);
  return term;
}

function matchTerm(g: Gen): MatchTerm {
  const term = basicTerm(g, 0.7);
  // notPorts, notPeers, notProtocol, notICMP, notSrcPorts: except terms
  if (g.chance(0.3)) term.except = g.times(1, 2, () => basicTerm(g, 0.5));
  return term;
}

function randomPolicy(g: Gen, direction: Direction): DirectionPolicy {
  const tiers: ResolvedTier[] = g.times(1, 3, (t) => {
    const policies: ResolvedPolicy[] = g.times(1, 3, (p) => {
      const staged = g.chance(0.2);
      // an enforced policy a staged one replaces: left out of the staged evaluation
      const stagedOut = !staged && g.chance(0.15);
      return {
        id: `t${t}p${p}`,
        staged,
        ...(stagedOut && { stagedOut: true as const }),
        rules: g.times(0, 4, (index) => ({
          index,
          action: g.pick<Action>(['Allow', 'Allow', 'Deny', 'Pass', 'Log']),
          terms: g.chance(0.1) ? [] : normaliseTerms(g.times(1, 2, () => matchTerm(g))),
        })),
      };
    });
    return { name: `tier${t}`, order: t, defaultAction: g.pick(['Deny', 'Pass'] as const), enforced: policies.some((p) => !p.staged), policies };
  });
  return { direction, tiers, hash: directionPolicyHash(direction, tiers) };
}

interface ProbePacket {
  packet: Packet;
  bytes: Buffer;
}

let localCounter = 0;
function randomPacket(g: Gen, direction: Direction): ProbePacket {
  const six = g.chance(0.35);
  const remote = six ? v6Address(g) : v4Address(g);
  localCounter++;
  const local = six ? `fd00::${localCounter.toString(16)}` : `198.18.${(localCounter >> 8) & 255}.${localCounter & 255}`;
  const protocol = g.pick<Protocol | number>(six ? ['TCP', 'UDP', 'SCTP', 'ICMPv6', OTHER_PROTOCOL] : ['TCP', 'UDP', 'SCTP', 'ICMP', OTHER_PROTOCOL]);
  const dport = g.int(70, 95);
  const sport = g.int(995, 1015);
  const icmpType = protocol === 'ICMP' || protocol === 'ICMPv6' ? g.pick(ICMP_TYPES[protocol]) : undefined;
  const icmpCode = g.int(0, 2);
  const l4: Transport =
    typeof protocol === 'number'
      ? rawTransport(protocol)
      : {
          TCP: () => tcp(sport, dport),
          UDP: () => udp(sport, dport),
          SCTP: () => sctp(sport, dport),
          ICMP: () => icmp(icmpType!, sport, icmpCode),
          ICMPv6: () => icmpv6(icmpType!, sport, icmpCode),
        }[protocol]();
  const [src, dst] = direction === 'ingress' ? [remote, local] : [local, remote];
  const hasPort = typeof protocol !== 'number' && PORT_PROTOCOLS.includes(protocol);
  return {
    packet: {
      remoteIp: remote,
      protocol,
      ...(hasPort && { dstPort: dport, srcPort: sport }),
      ...(icmpType !== undefined && { icmpType, icmpCode }),
    },
    bytes: ipPacket(src, dst, l4),
  };
}

const identity = (e: TraceEntry | undefined): RuleIdentity | null =>
  e ? { tier: e.tier, policyId: e.policyId, ruleIndex: e.ruleIndex, action: e.action } : null;

/** The rule the evaluator says decided: the last trace entry when it ends evaluation, else none. */
function decidingRule(verdict: 'allow' | 'deny', trace: readonly TraceEntry[]): RuleIdentity | null {
  const last = trace[trace.length - 1];
  if (verdict === 'deny') return identity(last);
  return last?.action === 'Allow' ? identity(last) : null;
}

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('programs agree with the reference evaluator', () => {
  let dp: Datapath;
  beforeAll(() => {
    dp = createDatapath();
  });
  afterAll(() => dp?.close());

  // Both strategies, forced: the same policies and packets through straight-line code and through
  // the map-driven classifier.
  it.each(['straight-line', 'classifier'] as const)(`%s: on ${POLICIES} random policies x ${PACKETS_PER_POLICY} packets (seed ${SEED})`, (strategy) => {
    const g = new Gen(prng(SEED));
    let classified = 0;
    let stagedClassified = 0;
    let compared = 0;
    const verdicts = { allow: 0, deny: 0, staged: 0, logged: 0, byAddressSet: 0, byExcept: 0, byOptionalCondition: 0 };
    for (let i = 0; i < POLICIES; i++) {
      const direction = g.pick<Direction>(['ingress', 'egress']);
      const policy = randomPolicy(g, direction);
      const program = dp.load(direction, policy, { strategy });
      if (program.compiled.classifier) classified++;
      if (program.compiled.stagedClassifier) stagedClassified++;
      for (let j = 0; j < PACKETS_PER_POLICY; j++) {
        const { packet, bytes } = randomPacket(g, direction);
        const expected = evaluateDirection(policy, packet);
        const result = dp.run(program, bytes);
        const context = `seed ${SEED} policy #${i} packet #${j}: ${JSON.stringify(packet)}\npolicy: ${JSON.stringify(policy.tiers)}`;
        expect(result.outcome, context).toBe(expected.verdict === 'allow' ? 'allow' : 'drop');
        const final = result.events.filter((e) => e.kind !== 'logged');
        expect(final, context).toHaveLength(1);
        expect(final[0]!.rule, context).toEqual(decidingRule(expected.verdict, expected.trace));
        const logged = result.events.filter((e) => e.kind === 'logged').map((e) => e.rule);
        expect(logged, context).toEqual(expected.trace.filter((e) => e.action === 'Log').map(identity));
        if (expected.stagedVerdict) {
          expect(final[0]!.staged, context).toEqual({ verdict: expected.stagedVerdict, rule: decidingRule(expected.stagedVerdict, expected.stagedTrace!) });
          verdicts.staged++;
        } else {
          expect(final[0]!.staged, context).toBeUndefined();
        }
        verdicts[expected.verdict]++;
        const decider = final[0]!.rule;
        const decidingRuleTerms =
          decider && decider.ruleIndex !== 'default'
            ? policy.tiers.flatMap((t) => t.policies).find((p) => p.id === decider.policyId)?.rules[decider.ruleIndex]?.terms
            : undefined;
        if (decidingRuleTerms?.every((t) => t.remote !== 'any')) verdicts.byAddressSet++;
        if (decidingRuleTerms?.some((t) => t.except)) verdicts.byExcept++;
        if (decidingRuleTerms?.some((t) => t.icmp || t.srcPorts || t.protocolNumber !== undefined || t.ipVersion !== undefined)) verdicts.byOptionalCondition++;
        verdicts.logged += logged.length;
        compared++;
      }
      program.close();
    }
    expect(compared).toBe(POLICIES * PACKETS_PER_POLICY);
    // the generator must exercise both verdicts, staged evaluation and Log rules
    expect(verdicts.allow).toBeGreaterThan(compared / 10);
    expect(verdicts.deny).toBeGreaterThan(compared / 10);
    expect(verdicts.staged).toBeGreaterThan(compared / 10);
    expect(verdicts.logged).toBeGreaterThan(10);
    expect(verdicts.byAddressSet).toBeGreaterThan(compared / 20);
    // and the optional conditions (except lists, protocol numbers, IP version, ICMP, source ports)
    expect(verdicts.byExcept).toBeGreaterThan(compared / 40);
    if (strategy === 'classifier') {
      expect(classified).toBe(POLICIES);
      expect(stagedClassified).toBeGreaterThan(POLICIES / 5);
    }
    expect(verdicts.byOptionalCondition).toBeGreaterThan(compared / 40);
    console.log(`[property] ${strategy}: ${compared} packets agree with evaluate(): ${JSON.stringify(verdicts)}`);
  });
});
