// Size and speed: 1,000 rules on one endpoint load and pass the verifier (also with some staged),
// with either strategy; a straight-line program at the edge of the budget loads, and what a packet
// costs on the paths a program has. (10,000 rules: classifier.test.ts.)
// Numbers are printed for the report; the assertions are the limits.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CompiledProgram, compileDirection } from '../../../agent/datapath/codegen/program.ts';
import { MAX_POLICY_PROGRAM_SLOTS } from '../../../agent/datapath/limits.ts';
import { linkProgram } from '../../../agent/datapath/link.ts';
import { type LoadedProgram, programMapFds } from '../../../agent/datapath/load.ts';
import { sharedMapFds } from '../../../agent/datapath/shared-maps.ts';
import { loadProgram } from '../../../bpf/kernel/program.ts';
import type { DirectionPolicy } from '../../../policy/evaluation/endpoint-policy.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable } from '../bpf/harness.ts';
import { createDatapath, type Datapath } from './support/harness.ts';
import { ipPacket, TcpFlag, tcp } from './support/packets.ts';
import { cidrs, directionPolicy, policy, rule, term, tier } from './support/policies.ts';

const RULES = 1000;
const STAGED = 300;
const POD = '198.18.0.10';
const REPEAT = 200_000;

/**
 * Rule i allows TCP port 10000+i from 10.(i/256).(i%256).0/24 except its .128/25; every 50th is a
 * Deny, every 97th a Log. The first half sits in a tier whose default is Pass; `staged` of the
 * rules belong to a staged policy (the staged evaluation walks every rule again).
 */
function rulesPolicy(count: number, staged = 0): DirectionPolicy {
  const rules = Array.from({ length: count }, (_, i) => {
    const net = `10.${i >> 8}.${i & 255}`;
    const action = i % 97 === 96 ? 'Log' : i % 50 === 49 ? 'Deny' : 'Allow';
    return rule(action, term('TCP', [[10000 + i, 10000 + i]], cidrs(`${net}.0/24 except ${net}.128/25`)));
  });
  const enforced = rules.slice(0, count - staged);
  const half = Math.floor(enforced.length / 2);
  const tiers = [
    tier('platform', 'Pass', [policy('platform', enforced.slice(0, half))], 100),
    tier('default', 'Deny', [policy('apps', enforced.slice(half)), ...(staged ? [policy('staged-apps', rules.slice(count - staged), true)] : [])], 1_000_000),
  ];
  return directionPolicy('ingress', tiers);
}

/** Processed-instruction statistics from the verifier (log level 4 = BPF_LOG_STATS: statistics only). */
function verifierStats(dp: Datapath, program: LoadedProgram<CompiledProgram>): string {
  const bytes = linkProgram(program.compiled.assembled, {
    ...sharedMapFds(dp.shared),
    ...programMapFds(program.maps),
  });
  const again = loadProgram({ name: 'stats', instructions: bytes, logLevel: 4 as never });
  again.close();
  return (again.verifierLog ?? '').split('\n').find((l) => l.startsWith('processed')) ?? '';
}

const ns = (dp: Datapath, program: LoadedProgram, packet: Buffer, outcome: 'allow' | 'drop'): number => {
  const result = dp.run(program, packet, { repeat: REPEAT });
  expect(result.outcome).toBe(outcome);
  return result.durationNs;
};

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('scale and cost', () => {
  let dp: Datapath;
  beforeAll(() => {
    dp = createDatapath();
  });
  afterAll(() => dp?.close());

  it(`loads ${RULES} rules on one endpoint (also with ${STAGED} of them staged) within the limits`, () => {
    const rows: string[] = [];
    for (const [strategy, staged] of [
      ['straight-line', 0],
      ['straight-line', STAGED],
      ['classifier', 0],
      ['classifier', STAGED],
    ] as const) {
      const t0 = performance.now();
      const program = dp.load('ingress', rulesPolicy(RULES, staged), { strategy });
      expect(program.compiled.stats.strategy).toBe(strategy);
      const ms = performance.now() - t0;
      const { stats } = program.compiled;
      expect(stats.instructions).toBeLessThan(MAX_POLICY_PROGRAM_SLOTS);
      const processed = verifierStats(dp, program);
      expect(Number(/processed (\d+)/.exec(processed)?.[1])).toBeLessThan(1_000_000);
      rows.push(
        `${strategy}: ${RULES} rules, ${staged} staged: ${stats.instructions} slots, ${stats.conditionalJumps} conditional jumps, ${stats.longJumps} long jumps, ` +
          `${stats.ipSetEntries} set entries; verifier: ${processed}; compile+load ${ms.toFixed(0)} ms`,
      );
      const enforced = RULES - staged;
      const last = enforced - 2; // the last enforced rule that is not a Log rule
      const first = Math.floor(enforced / 2);
      const port = (i: number) => 10000 + i;
      const from = (i: number) => `10.${i >> 8}.${i & 255}.1`;
      // RST: allowed packets that are never tracked, so every repetition is evaluated in full
      const worst = ns(dp, program, ipPacket(from(last), POD, tcp(40000, port(last), TcpFlag.RST | TcpFlag.ACK)), 'allow');
      const early = ns(dp, program, ipPacket(from(0), POD, tcp(40000, port(0), TcpFlag.RST | TcpFlag.ACK)), 'allow');
      const middle = ns(dp, program, ipPacket(from(first), POD, tcp(40000, port(first), TcpFlag.RST | TcpFlag.ACK)), 'allow');
      const denied = ns(dp, program, ipPacket('192.0.2.1', POD, tcp(40000, 9999)), 'drop');
      dp.run(program, ipPacket(from(0).replace(/1$/, '2'), POD, tcp(40001, port(0), TcpFlag.SYN)));
      const established = ns(dp, program, ipPacket(from(0).replace(/1$/, '2'), POD, tcp(40001, port(0), TcpFlag.ACK)), 'allow');
      rows.push(`  ns/packet: established ${established}, rule 1 ${early}, rule ${first + 1} ${middle}, rule ${last + 1} ${worst}, default deny ${denied}`);
      program.close();
    }
    console.log(`[scale]\n${rows.join('\n')}`);
  });

  it('the conditional-jump budget is the binding limit of straight-line code, and a program just within it loads', () => {
    const strategy = 'straight-line';
    // the largest rule count the budget admits, found by compiling (no kernel), then loaded
    let lo = RULES;
    let hi = 4 * RULES;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      try {
        compileDirection('ingress', rulesPolicy(mid), { strategy });
        lo = mid;
      } catch (error) {
        expect(error).toMatchObject({ code: 'COMPILE_LIMIT', message: expect.stringMatching(/conditional jumps; the limit is 8000$/) });
        hi = mid - 1;
      }
    }
    const program = dp.load('ingress', rulesPolicy(lo), { strategy });
    console.log(
      `[scale] largest within budget: ${lo} rules, ${program.compiled.stats.conditionalJumps} conditional jumps, ${program.compiled.stats.instructions} slots; verifier: ${verifierStats(dp, program)}`,
    );
    expect(() => compileDirection('ingress', rulesPolicy(lo + 1), { strategy })).toThrow(/conditional jumps/);
    program.close();
  });

  it('costs a typical endpoint little per packet', () => {
    const program = dp.load(
      'ingress',
      directionPolicy('ingress', [
        tier('default', 'Deny', [
          policy('allow-web', [
            rule(
              'Allow',
              term(
                'TCP',
                [
                  [80, 80],
                  [443, 443],
                ],
                cidrs('198.18.0.0/16'),
              ),
            ),
          ]),
          policy('allow-dns', [rule('Allow', term('UDP', [[53, 53]]), term('TCP', [[53, 53]]))]),
        ]),
      ]),
    );
    const allowProgram = dp.load('ingress', null);
    const { stats } = program.compiled;
    const newFlow = ns(dp, program, ipPacket('198.18.7.7', POD, tcp(40000, 443, TcpFlag.RST)), 'allow');
    const denied = ns(dp, program, ipPacket('192.0.2.1', POD, tcp(40000, 22)), 'drop');
    dp.run(program, ipPacket('198.18.7.7', POD, tcp(40002, 443)));
    const established = ns(dp, program, ipPacket('198.18.7.7', POD, tcp(40002, 443, TcpFlag.ACK)), 'allow');
    const v6established = (() => {
      dp.run(allowProgram, ipPacket('2001:db8::1', 'fd00::10', tcp(40003, 443)));
      return ns(dp, allowProgram, ipPacket('2001:db8::1', 'fd00::10', tcp(40003, 443, TcpFlag.ACK)), 'allow');
    })();
    console.log(
      `[scale] typical (3 rules): ${stats.instructions} slots (no policy: ${allowProgram.compiled.stats.instructions}); ` +
        `verifier: ${verifierStats(dp, program)}\n  ns/packet: established ${established} (IPv6 ${v6established}), new flow allowed ${newFlow}, denied ${denied}`,
    );
    expect(stats.instructions).toBeLessThan(2000);
  });
});
