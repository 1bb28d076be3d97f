// Allowed new flows are counted in place per flow-log key (codegen/flow-aggregates.ts) instead of
// one ring buffer event each: a client opening flows from ever new ports costs one map entry, and
// the records drained say how many flows and bytes each stands for. Denied flows stay one event each.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable } from '../bpf/harness.ts';
import { createDatapath, type Datapath } from './support/harness.ts';
import { ipPacket, udp } from './support/packets.ts';
import { directionPolicy, policy, rule, term, tier } from './support/policies.ts';

const POD = '198.18.0.10';
const ports = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('allowed flows counted in place', () => {
  let dp: Datapath;
  beforeAll(() => {
    dp = createDatapath();
  });
  afterAll(() => dp?.close());

  const dns = () => directionPolicy('ingress', [tier('default', 'Deny', [policy('np', [rule('Allow', term('UDP', [[53, 53]]))])])]);
  const allowDns = { tier: 'default', policyId: 'np', ruleIndex: 0, action: 'Allow' };

  it('new flows from rotating client ports add up in one record per remote and server port, with their bytes', () => {
    const program = dp.load('ingress', dns());
    const fromA = ports(20000, 300).map((p) => ipPacket('192.0.2.1', POD, udp(p, 53)));
    const fromB = ports(20000, 40).map((p) => ipPacket('192.0.2.2', POD, udp(p, 53)));
    const { outcomes, events } = dp.runAll(program, [...fromA, ...fromB]);
    expect(outcomes.every((o) => o === 'allow')).toBe(true);
    const byRemote = new Map(events.map((e) => [e.remote, e]));
    expect(events).toHaveLength(2);
    expect(byRemote.get('192.0.2.1')).toMatchObject({
      kind: 'allowed',
      count: 300,
      bytes: 300 * fromA[0]!.length,
      localPort: 53,
      remotePort: 0,
      rule: allowDns,
    });
    expect(byRemote.get('192.0.2.2')).toMatchObject({ kind: 'allowed', count: 40, direction: 'ingress', protocol: 17, local: POD });
  });

  it('a drained aggregate starts again from zero; denied flows are still one event each', () => {
    const program = dp.load('ingress', dns());
    expect(
      dp.runAll(
        program,
        ports(21000, 5).map((p) => ipPacket('192.0.2.3', POD, udp(p, 53))),
      ).events,
    ).toMatchObject([{ count: 5 }]);
    expect(
      dp.runAll(
        program,
        ports(21005, 2).map((p) => ipPacket('192.0.2.3', POD, udp(p, 53))),
      ).events,
    ).toMatchObject([{ count: 2 }]);
    const denied = dp.runAll(
      program,
      ports(22000, 3).map((p) => ipPacket('192.0.2.3', POD, udp(p, 54))),
    );
    expect(denied.outcomes).toEqual(['drop', 'drop', 'drop']);
    expect(denied.events.map((e) => [e.kind, e.count, e.remotePort])).toEqual([
      ['denied', undefined, 22000],
      ['denied', undefined, 22001],
      ['denied', undefined, 22002],
    ]);
  });

  it('a full aggregates map counts the flows it cannot hold as events lost, and keeps allowing them', () => {
    const program = dp.load('ingress', dns());
    const capacity = dp.shared.flowAggregates.maxEntries;
    const lostBefore = dp.stats().events_lost;
    const remotes = Array.from({ length: capacity + 10 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const { outcomes, events } = dp.runAll(
      program,
      remotes.map((r) => ipPacket(r, POD, udp(40000, 53))),
    );
    expect(outcomes.every((o) => o === 'allow')).toBe(true);
    expect(events).toHaveLength(capacity);
    expect(dp.stats().events_lost - lostBefore).toBe(10);
  });
});
