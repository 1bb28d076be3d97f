// The map-driven classifier at scale: 10,000 rules (distinct remote /32s and ports) on one endpoint
// load, and a packet matching the last rule costs within 2x of a 10-rule program. Both strategies
// decide alike at every rule count, and the classifier's code stays the same size however many rules
// there are (straight-line code grows with each one: the reason for limits.ts CLASSIFIER_MIN_TERMS).
// Numbers are printed for the report; per-packet costs by rule count are the bench's (npm run bench).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StrategyName } from '../../../agent/datapath/codegen/evaluation.ts';
import type { CompiledProgram } from '../../../agent/datapath/codegen/program.ts';
import { CLASSIFIER_MIN_TERMS } from '../../../agent/datapath/limits.ts';
import { linkProgram } from '../../../agent/datapath/link.ts';
import { type LoadedProgram, programMapFds } from '../../../agent/datapath/load.ts';
import { sharedMapFds } from '../../../agent/datapath/shared-maps.ts';
import { loadProgram } from '../../../bpf/kernel/program.ts';
import type { DirectionPolicy } from '../../../policy/evaluation/endpoint-policy.ts';
import { evaluateDirection } from '../../../policy/evaluation/evaluate.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable } from '../bpf/harness.ts';
import { createDatapath, type Datapath } from './support/harness.ts';
import { ipPacket, TcpFlag, tcp } from './support/packets.ts';
import { cidrs, directionPolicy, policy, rule, term, tier } from './support/policies.ts';

const POD = '198.18.0.10';
const REPEAT = 200_000;
const BIG = 10_000;

const remoteOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const portOf = (i: number) => 1000 + i;

/** Rule i: Allow TCP port 1000+i from 10.x.y.z/32 (distinct per rule); default Deny. */
function distinctRules(count: number): DirectionPolicy {
  const rules = Array.from({ length: count }, (_, i) => rule('Allow', term('TCP', [[portOf(i), portOf(i)]], cidrs(`${remoteOf(i)}/32`))));
  return directionPolicy('ingress', [tier('default', 'Deny', [policy('apps', rules)], 1_000_000)]);
}

function verifierProcessed(dp: Datapath, program: LoadedProgram<CompiledProgram>): string {
  const bytes = linkProgram(program.compiled.assembled, {
    ...sharedMapFds(dp.shared),
    ...programMapFds(program.maps),
  });
  const again = loadProgram({ name: 'stats', instructions: bytes, logLevel: 4 as never });
  again.close();
  return (again.verifierLog ?? '').split('\n').find((l) => l.startsWith('processed')) ?? '';
}

/** ns/packet of a packet matching rule `i` (RST: allowed, never tracked, so evaluated every time). */
function lastRuleNs(dp: Datapath, program: LoadedProgram, i: number): number {
  // the median of three runs, against a noisy neighbour
  const runs = [0, 1, 2].map(() => {
    const result = dp.run(program, ipPacket(remoteOf(i), POD, tcp(40000, portOf(i), TcpFlag.RST | TcpFlag.ACK)), { repeat: REPEAT });
    expect(result.outcome).toBe('allow');
    expect(result.events.at(-1)?.rule).toMatchObject({ policyId: 'apps', ruleIndex: i, action: 'Allow' });
    return result.durationNs;
  });
  return runs.sort((a, b) => a - b)[1]!;
}

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('map-driven classifier', () => {
  let dp: Datapath;
  beforeAll(() => {
    dp = createDatapath();
  });
  afterAll(() => dp?.close());

  it(`${BIG} rules load, and the last one costs within 2x of a 10-rule program`, () => {
    const small = dp.load('ingress', distinctRules(10));
    const smallClassifier = dp.load('ingress', distinctRules(10), { strategy: 'classifier' });
    const t0 = performance.now();
    const big = dp.load('ingress', distinctRules(BIG));
    const loadMs = performance.now() - t0;
    expect(small.compiled.stats.strategy).toBe('straight-line');
    expect(smallClassifier.compiled.stats.strategy).toBe('classifier');
    expect(big.compiled.stats.strategy).toBe('classifier');
    const tables = big.compiled.classifier!;

    const smallNs = lastRuleNs(dp, small, 9);
    const smallClassifierNs = lastRuleNs(dp, smallClassifier, 9);
    const bigNs = lastRuleNs(dp, big, BIG - 1);
    const firstNs = lastRuleNs(dp, big, 0);
    const denied = dp.run(big, ipPacket('192.0.2.1', POD, tcp(40000, 9)), { repeat: REPEAT });
    expect(denied.outcome).toBe('drop');
    console.log(
      `[classifier] ${BIG} rules: ${big.compiled.stats.instructions} slots, ${big.compiled.stats.conditionalJumps} conditional jumps; ` +
        `${tables.bits} bits (${tables.words} words + ${tables.summaryWords} summary), ${tables.vectorCount} vectors, ` +
        `${tables.remote.count} prefixes, ${(tables.bytes / 1048576).toFixed(1)} MiB of map data; compile+load ${loadMs.toFixed(0)} ms; ` +
        `verifier: ${verifierProcessed(dp, big)}\n` +
        `  ns/packet, packet matching the last rule: 10 rules (straight-line) ${smallNs}, 10 rules (classifier) ${smallClassifierNs}, ` +
        `${BIG} rules (classifier) ${bigNs} (= ${(bigNs / smallNs).toFixed(2)}x); ${BIG} rules, first rule ${firstNs}, default deny ${denied.durationNs}`,
    );
    expect(bigNs).toBeLessThanOrEqual(2 * smallNs);
    for (const p of [small, smallClassifier, big]) p.close();
  });

  it(`${BIG} rules with except terms and a staged policy load, and agree with evaluate()`, () => {
    const base = distinctRules(BIG);
    const apps = base.tiers[0]!.policies[0]!;
    // every 10th rule: all of 10.0.0.0/8 on its port, except the rule's own address (a notPeers)
    apps.rules.forEach((r, i) => {
      if (i % 10 === 0) r.terms = [{ ...term('TCP', [[portOf(i), portOf(i)]], cidrs('10.0.0.0/8')), except: [term('any', 'any', cidrs(`${remoteOf(i)}/32`))] }];
    });
    const staged = policy(
      'staged-apps',
      Array.from({ length: 2_000 }, (_, i) => rule(i % 2 ? 'Deny' : 'Allow', term('TCP', [[portOf(i), portOf(i)]]))),
      true,
    );
    const dp2 = directionPolicy('ingress', [tier('default', 'Deny', [apps, staged], 1_000_000)]);
    const program = dp.load('ingress', dp2);
    expect(program.compiled.classifier).toBeDefined();
    expect(program.compiled.stagedClassifier).toBeDefined();
    for (const [i, remote] of [
      [10, remoteOf(10)],
      [10, '10.200.0.1'],
      [11, remoteOf(11)],
      [9_999, remoteOf(9_999)],
      [1_001, remoteOf(1_001)],
    ] as const) {
      const packet = { remoteIp: remote, protocol: 'TCP' as const, dstPort: portOf(i), srcPort: 40000 };
      const expected = evaluateDirection(dp2, packet);
      const result = dp.run(program, ipPacket(remote, POD, tcp(40000, portOf(i), TcpFlag.RST | TcpFlag.ACK)));
      const event = result.events.at(-1)!;
      expect(result.outcome, `${remote}:${portOf(i)}`).toBe(expected.verdict === 'allow' ? 'allow' : 'drop');
      const last = expected.trace.at(-1);
      expect(event.rule?.ruleIndex ?? null, `${remote}:${portOf(i)}`).toBe(last?.ruleIndex ?? null);
      expect(event.staged?.verdict, `${remote}:${portOf(i)}`).toBe(expected.stagedVerdict);
    }
    const ns = lastRuleNs(dp, program, BIG - 1);
    console.log(
      `[classifier] ${BIG} rules with 1,000 except terms + 2,000 staged rules: ${program.compiled.stats.instructions} slots, ` +
        `verifier: ${verifierProcessed(dp, program)}; last rule ${ns} ns/packet`,
    );
    program.close();
  });

  it("both strategies decide alike at every rule count; the classifier's code does not grow with the rules", () => {
    const instructions: Record<StrategyName, number[]> = { 'straight-line': [], classifier: [] };
    const counts = [4, 16, 32, CLASSIFIER_MIN_TERMS, 128, 256, 1024];
    for (const count of counts) {
      for (const strategy of ['straight-line', 'classifier'] as const) {
        const program = dp.load('ingress', distinctRules(count), { strategy });
        expect(program.compiled.stats.strategy).toBe(strategy);
        for (const i of [0, count - 1]) {
          const result = dp.run(program, ipPacket(remoteOf(i), POD, tcp(40000, portOf(i), TcpFlag.RST | TcpFlag.ACK)));
          expect(result.outcome, `${strategy}, ${count} rules, rule ${i}`).toBe('allow');
          expect(result.events.at(-1)?.rule, `${strategy}, ${count} rules, rule ${i}`).toMatchObject({ policyId: 'apps', ruleIndex: i, action: 'Allow' });
        }
        // the right port from the wrong address matches no rule
        expect(dp.run(program, ipPacket('192.0.2.1', POD, tcp(40000, portOf(count - 1), TcpFlag.RST | TcpFlag.ACK))).outcome).toBe('drop');
        instructions[strategy].push(program.compiled.stats.instructions);
        program.close();
      }
    }
    // per-packet cost follows the code a packet runs through: the classifier's is the same at 4 rules
    // and at 1,024, straight-line code grows with every rule (the ns figures: npm run bench)
    expect(new Set(instructions.classifier).size).toBe(1);
    for (let i = 1; i < counts.length; i++) expect(instructions['straight-line'][i]!).toBeGreaterThan(instructions['straight-line'][i - 1]!);
    expect(instructions['straight-line'].at(-1)!).toBeGreaterThan(10 * instructions.classifier[0]!);
  });
});
