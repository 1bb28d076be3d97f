// Bandwidth policing through BPF_PROG_TEST_RUN: packets over a bucket's burst are dropped and
// counted on it, only allowed packets are charged (established ones too), a shared bucket is
// charged by two endpoints and a refusal refunds the buckets charged before it, refill follows the
// rate, and a rate change is a map write the loaded program follows.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { planBuckets } from '../../../agent/datapath/bandwidth/allocation.ts';
import { BandwidthMaps } from '../../../agent/datapath/bandwidth/maps.ts';
import { bucketParams, packetCostNs } from '../../../agent/datapath/bandwidth/params.ts';
import type { Hook } from '../../../agent/datapath/codegen/hooks.ts';
import { ifindexOf, withNetns } from '../../../bpf/kernel/netns.ts';
import type { BandwidthBucket } from '../../../policy/bandwidth/buckets.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable, uniqueSuffix } from '../bpf/harness.ts';
import { createDatapath, type Datapath } from '../datapath/support/harness.ts';
import { ipPacket, TcpFlag, tcp, udp } from '../datapath/support/packets.ts';
import { directionPolicy, policy, rule, term, tier } from '../datapath/support/policies.ts';

const POD = '198.18.0.10';
const SERVER = '198.18.1.53';
/** Ethernet 14 + IPv4 20 + UDP 8 + 1,000 bytes: what skb->len is, and what a packet costs. */
const PACKET_BYTES = 1042;
const payload = Buffer.alloc(PACKET_BYTES - 42);
const bucket = (id: string, rateBitsPerSecond: number, burstBytes = 64 * 1024): BandwidthBucket => ({ id, rateBitsPerSecond, burstBytes, source: 'test' });

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('bandwidth policing', () => {
  let dp: Datapath;
  let maps: BandwidthMaps;
  let fromPod: ReturnType<Datapath['load']>;
  let toPod: ReturnType<Datapath['load']>;
  let indexOf = new Map<string, number>();
  const ns = `palisade-bw-${uniqueSuffix()}`;
  let ifA = 0;
  let ifB = 0;

  /** What the dataplane does on apply: buckets planned and written, endpoints pointed at them. */
  function limit(endpoints: { ifindex: number; hook: Hook; buckets: BandwidthBucket[] }[]): void {
    const plan = planBuckets(
      maps.readBuckets(),
      endpoints.flatMap((e) => e.buckets),
      maps.capacity,
    );
    maps.write(plan);
    const keys = endpoints.map((e) =>
      maps.setEndpoint(
        e.ifindex,
        e.hook,
        e.buckets.map((b) => plan.indexOf.get(b.id)!),
      ),
    );
    maps.retainEndpoints(keys);
    maps.free(plan.frees);
    indexOf = plan.indexOf;
  }
  const counters = (id: string) => maps.readBuckets()[indexOf.get(id)!]!;
  const inNs = <T>(fn: () => T): T => withNetns(ns, fn);
  /** Runs `send` until it is dropped (at most `max` times); returns how many passed. */
  function passesUntilDrop(send: () => 'allow' | 'drop', max = 1000): number {
    for (let n = 0; n < max; n++) if (send() === 'drop') return n;
    return max;
  }

  beforeAll(() => {
    dp = createDatapath();
    maps = new BandwidthMaps(dp.shared.bwBuckets, dp.shared.bwEndpoints);
    // egress allows UDP/53 and nothing else; ingress denies every new flow (replies pass by conntrack)
    fromPod = dp.load('egress', directionPolicy('egress', [tier('default', 'Deny', [policy('dns', [rule('Allow', term('UDP', [[53, 53]]))])])]), {
      bandwidth: true,
    });
    toPod = dp.load('ingress', directionPolicy('ingress', [tier('default', 'Deny', [policy('deny-all', [])])]), { bandwidth: true });
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['-n', ns, 'link', 'add', 'ep-a', 'type', 'veth', 'peer', 'name', 'ep-b']);
    [ifA, ifB] = inNs(() => [ifindexOf('ep-a'), ifindexOf('ep-b')]);
  });
  afterAll(() => {
    dp?.close();
    try {
      execFileSync('ip', ['netns', 'del', ns]);
    } catch {
      // not made
    }
  });

  const dns = (sport = 40000) => ipPacket(POD, SERVER, udp(sport, 53, payload));

  it('passes the burst, then drops and counts every packet over it; denied packets cost nothing', () => {
    const b = bucket('pod/x/a/egress', 1_000_000);
    limit([{ ifindex: 1, hook: 'from-pod', buckets: [b] }]);
    const started = process.hrtime.bigint();
    const outcomes = Array.from({ length: 100 }, () => dp.run(fromPod, dns()).outcome);
    const ran = process.hrtime.bigint() - started;
    const passed = outcomes.filter((o) => o === 'allow').length;
    // 64 KiB at 1 Mbit/s is 524 ms of debt; a packet costs 8.3 ms; the check is before the charge: 1 + 62
    const cost = packetCostNs(bucketParams(b), PACKET_BYTES);
    const expected = 1 + Number(bucketParams(b).burstNs / cost);
    expect(passed).toBeGreaterThanOrEqual(expected);
    expect(passed).toBeLessThanOrEqual(expected + 1 + Number(ran / cost)); // what the test's own runtime refilled
    expect(outcomes.slice(0, expected)).toEqual(Array(expected).fill('allow')); // the burst first, then drops (and refills)
    expect(counters(b.id)).toMatchObject({
      passedPackets: passed,
      passedBytes: passed * PACKET_BYTES,
      droppedPackets: 100 - passed,
      droppedBytes: (100 - passed) * PACKET_BYTES,
    });

    // policy denies TCP/22: dropped by policy, the bucket neither charged nor counting it
    expect(dp.run(fromPod, ipPacket(POD, SERVER, tcp(41000, 22, TcpFlag.SYN))).outcome).toBe('drop');
    expect(counters(b.id)).toMatchObject({ passedPackets: passed, droppedPackets: 100 - passed });
  });

  it('keeps a bucket whose id, rate and burst are unchanged untouched across applies and a restart', () => {
    const b = bucket('pod/x/a/egress', 1_000_000);
    limit([{ ifindex: 1, hook: 'from-pod', buckets: [b] }]);
    const key = Buffer.alloc(4);
    key.writeUInt32LE(indexOf.get(b.id)!);
    const before = dp.shared.bwBuckets.lookup(key)!;
    limit([{ ifindex: 1, hook: 'from-pod', buckets: [b] }]);
    // a restarted agent has only the pinned maps: the id hash in each entry finds the bucket again
    maps = new BandwidthMaps(dp.shared.bwBuckets, dp.shared.bwEndpoints);
    limit([{ ifindex: 1, hook: 'from-pod', buckets: [b] }]);
    expect(dp.shared.bwBuckets.lookup(key)!.equals(before)).toBe(true);
    // still in debt from the burst the first test spent (a rewritten bucket would have tat 0: full)
    expect(before.readBigUInt64LE(0)).toBeGreaterThan(process.hrtime.bigint() + 300_000_000n);
  });

  it('charges packets of established flows (replies passing by conntrack) on the other hook', () => {
    const b = bucket('pod/x/a/ingress', 100_000); // 83 ms a packet
    limit([{ ifindex: 1, hook: 'to-pod', buckets: [b] }]);
    const reply = ipPacket(SERVER, POD, udp(53, 40001, payload));
    dp.run(fromPod, dns(40001)); // opens the flow (its own hook has no bucket now)
    const started = process.hrtime.bigint();
    const passed = passesUntilDrop(() => dp.run(toPod, reply).outcome);
    const refilled = Number((process.hrtime.bigint() - started) / packetCostNs(bucketParams(b), PACKET_BYTES));
    expect(passed).toBeGreaterThanOrEqual(63);
    expect(passed).toBeLessThanOrEqual(64 + refilled);
    expect(counters(b.id)).toMatchObject({ passedPackets: passed, droppedPackets: 1 });
    // a new flow from outside is denied by policy before the bucket is asked
    expect(dp.run(toPod, ipPacket(SERVER, POD, udp(53, 40999, payload))).outcome).toBe('drop');
    expect(counters(b.id).droppedPackets).toBe(1);
  });

  it('shares one bucket between two endpoints, and gives back what earlier buckets were charged when it refuses', () => {
    // pods: slow enough that their tat only moves by charges during the test, with bursts that never refuse
    const podA = bucket('pod/x/a/egress', 1_000_000, 100_000_000);
    const podB = bucket('pod/x/b/egress', 1_000_000, 100_000_000);
    const tenant = bucket('tenant/egress', 100_000); // 83 ms a packet: the test's runtime refills nothing
    limit([
      { ifindex: ifA, hook: 'from-pod', buckets: [podA, tenant] },
      { ifindex: ifB, hook: 'from-pod', buckets: [podB, tenant] },
    ]);
    const tenantParams = bucketParams(tenant);
    const tenantShare = 1 + Number(tenantParams.burstNs / packetCostNs(tenantParams, PACKET_BYTES));
    let fromA = 0;
    let fromB = 0;
    const started = process.hrtime.bigint(); // CLOCK_MONOTONIC, as bpf_ktime_get_ns
    inNs(() => {
      for (let i = 0; i < 100; i++) {
        if (dp.run(fromPod, dns(), { ifindex: ifA }).outcome === 'allow') fromA++;
        if (dp.run(fromPod, dns(), { ifindex: ifB }).outcome === 'allow') fromB++;
      }
    });
    // the sum is the tenant's, split between the two
    expect(fromA + fromB).toBeGreaterThanOrEqual(tenantShare);
    expect(fromA + fromB).toBeLessThanOrEqual(tenantShare + 1 + Number((process.hrtime.bigint() - started) / packetCostNs(tenantParams, PACKET_BYTES)));
    expect(Math.min(fromA, fromB)).toBeGreaterThanOrEqual(Math.floor(tenantShare / 2) - 2); // alternating: about half each
    expect(counters(tenant.id)).toMatchObject({ passedPackets: fromA + fromB, droppedPackets: 200 - fromA - fromB });
    // the pods' buckets count what actually passed and were refunded for the rest: no drop on them
    expect(counters(podA.id)).toMatchObject({ passedPackets: fromA, droppedPackets: 0 });
    expect(counters(podB.id)).toMatchObject({ passedPackets: fromB, droppedPackets: 0 });
    const tat = (id: string) => {
      const key = Buffer.alloc(4);
      key.writeUInt32LE(indexOf.get(id)!);
      return dp.shared.bwBuckets.lookup(key)!.readBigUInt64LE(0);
    };
    // pod A's tat moved from its first packet's arrival by exactly its passed packets' cost (the
    // refused ones were given back); without refunds it would be 100 packets' (833 ms)
    const podCost = packetCostNs(bucketParams(podA), PACKET_BYTES);
    const ran = process.hrtime.bigint() - started;
    const advanced = tat(podA.id) - started;
    expect(advanced).toBeGreaterThanOrEqual(BigInt(fromA) * podCost);
    expect(advanced).toBeLessThanOrEqual(BigInt(fromA) * podCost + ran);
  });

  it('refills at the rate, and follows a rate change written to the map without a new program', async () => {
    const b = bucket('pod/x/a/egress', 1_000_000);
    limit([{ ifindex: 1, hook: 'from-pod', buckets: [b] }]);
    const send = () => dp.run(fromPod, dns()).outcome;
    passesUntilDrop(send); // empty (whatever the earlier test left)
    const refill = async (rate: number, waitMs: number) => {
      const cost = Number(packetCostNs(bucketParams(bucket('x', rate)), PACKET_BYTES));
      const drained = process.hrtime.bigint();
      await new Promise((r) => setTimeout(r, waitMs));
      const elapsed = Number(process.hrtime.bigint() - drained);
      return { passed: passesUntilDrop(send), expected: elapsed / cost };
    };
    const first = await refill(1_000_000, 200); // ~24 packets of 8.3 ms
    expect(first.passed).toBeGreaterThanOrEqual(Math.floor(first.expected) - 1);
    expect(first.passed).toBeLessThanOrEqual(Math.ceil(first.expected) + 1);

    const before = counters(b.id);
    limit([{ ifindex: 1, hook: 'from-pod', buckets: [{ ...b, rateBitsPerSecond: 2_000_000 }] }]);
    expect(counters(b.id).passedPackets).toBe(before.passedPackets); // counters kept across the change
    passesUntilDrop(send); // a changed bucket restarts with its burst: empty it again
    const doubled = await refill(2_000_000, 200); // ~48 packets
    expect(doubled.passed).toBeGreaterThanOrEqual(Math.floor(doubled.expected) - 1);
    expect(doubled.passed).toBeLessThanOrEqual(Math.ceil(doubled.expected) + 1);
    expect(doubled.passed).toBeGreaterThan(first.passed * 1.6);
  });
});
