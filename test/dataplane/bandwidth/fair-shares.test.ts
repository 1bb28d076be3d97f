// Fair shares of the tenant ceiling through BPF_PROG_TEST_RUN: the programs count the endpoints
// active on the ceiling, a pod beyond its share is refused while the ceiling keeps room for a pod
// within its own, and what a pod borrowed counts against it.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { planBuckets } from '../../../agent/datapath/bandwidth/allocation.ts';
import { BandwidthMaps } from '../../../agent/datapath/bandwidth/maps.ts';
import { activeEndpoints } from '../../../agent/datapath/bandwidth/shares.ts';
import { BandwidthBucketValue } from '../../../agent/datapath/layouts.ts';
import { ifindexOf, withNetns } from '../../../bpf/kernel/netns.ts';
import type { BandwidthBucket } from '../../../policy/bandwidth/buckets.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable, uniqueSuffix } from '../bpf/harness.ts';
import { createDatapath, type Datapath } from '../datapath/support/harness.ts';
import { ipPacket, udp } from '../datapath/support/packets.ts';
import { directionPolicy, policy, rule, term, tier } from '../datapath/support/policies.ts';

const POD = '198.18.0.10';
const SERVER = '198.18.1.53';
const PACKET_BYTES = 1042;
const payload = Buffer.alloc(PACKET_BYTES - 42);
const bucket = (id: string, rateBitsPerSecond: number, burstBytes = 64 * 1024): BandwidthBucket => ({ id, rateBitsPerSecond, burstBytes, source: 'test' });

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('fair shares of the tenant ceiling', () => {
  let dp: Datapath;
  let maps: BandwidthMaps;
  let fromPod: ReturnType<Datapath['load']>;
  let indexOf = new Map<string, number>();
  const ns = `palisade-fs-${uniqueSuffix()}`;
  const ifs: number[] = [];

  beforeAll(() => {
    dp = createDatapath();
    maps = new BandwidthMaps(dp.shared.bwBuckets, dp.shared.bwEndpoints);
    fromPod = dp.load('egress', directionPolicy('egress', [tier('default', 'Deny', [policy('dns', [rule('Allow', term('UDP', [[53, 53]]))])])]), {
      bandwidth: true,
    });
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['-n', ns, 'link', 'add', 'ep-a', 'type', 'veth', 'peer', 'name', 'ep-b']);
    execFileSync('ip', ['-n', ns, 'link', 'add', 'ep-c', 'type', 'veth', 'peer', 'name', 'ep-d']);
    ifs.push(...withNetns(ns, () => ['ep-a', 'ep-b', 'ep-c'].map(ifindexOf)));
  });
  afterAll(() => {
    dp?.close();
    try {
      execFileSync('ip', ['netns', 'del', ns]);
    } catch {
      // not made
    }
  });

  /** Endpoints i (interface ifs[i]) charged to the tenant ceiling with a share each. */
  function divide(test: string, pods: number, rate: number): { tenant: BandwidthBucket; shares: BandwidthBucket[] } {
    // ids of this test's own, so every test starts from fresh buckets and counters
    const tenant = bucket(`tenant/${test}`, rate);
    const shares = Array.from({ length: pods }, (_, i) => bucket(`share/${test}/p${i}`, rate));
    const plan = planBuckets(maps.readBuckets(), [tenant, ...shares], maps.capacity);
    maps.write(plan);
    const keys = shares.map((s, i) => maps.setEndpoint(ifs[i]!, 'from-pod', [plan.indexOf.get(tenant.id)!], plan.indexOf.get(s.id)));
    maps.retainEndpoints(keys);
    maps.free(plan.frees);
    indexOf = plan.indexOf;
    return { tenant, shares };
  }
  const entry = (id: string) => {
    const key = Buffer.alloc(4);
    key.writeUInt32LE(indexOf.get(id)!);
    return BandwidthBucketValue.decode(dp.shared.bwBuckets.lookup(key)!);
  };
  const send = (pod: number) => withNetns(ns, () => dp.run(fromPod, ipPacket(POD, SERVER, udp(40000, 53, payload)), { ifindex: ifs[pod] }).outcome);

  /** Runs `send(pod)` until it is dropped (at most `max` times); returns how many passed. */
  function passesUntilDrop(pod: number, max = 200): number {
    for (let n = 0; n < max; n++) if (send(pod) === 'drop') return n;
    return max;
  }

  it('counts the endpoints that ask for their part of the ceiling, not the idle one', () => {
    const { tenant } = divide('count', 3, 10_000_000); // a packet asks 0.83 ms of the ceiling; the mark is 16.8 ms an epoch
    for (let n = 0; n < 30; n++) {
      send(0);
      send(1);
    }
    send(2); // one packet: below the mark
    expect(activeEndpoints(entry(tenant.id).activeShares, process.hrtime.bigint())).toBe(2);
  });

  it('refuses a pod beyond its share while the ceiling keeps room for the other pod within its own', () => {
    // 200 kbit/s: a packet costs 41.7 ms of the ceiling, the 64 KiB burst is 2.6 s (62 packets), and
    // the test's own runtime refills next to nothing
    const { tenant, shares } = divide('refuse', 2, 200_000);
    const ceilingPackets = 1 + Number(entry(tenant.id).burstNs / 41_680_000n);
    expect(send(1)).toBe('allow'); // pod 1 asks once: active
    const first = passesUntilDrop(0); // pod 0 alone at full demand: its share is half the ceiling
    const second = passesUntilDrop(1);
    // a plain policer would have let pod 0 take the whole burst (62) and pod 1 nothing
    expect(first).toBeGreaterThanOrEqual(ceilingPackets / 2 - 2);
    expect(first).toBeLessThanOrEqual(ceilingPackets * 0.65);
    expect(second).toBeGreaterThanOrEqual(ceilingPackets * 0.35);
    expect(1 + first + second).toBeLessThanOrEqual(ceilingPackets + 2);
    // counters: the ceiling holds every packet, each share its pod's part of it
    const [a, b] = shares.map((s) => entry(s.id));
    expect(entry(tenant.id)).toMatchObject({ passedPackets: BigInt(1 + first + second), droppedPackets: 2n });
    expect(a).toMatchObject({ passedPackets: BigInt(first), droppedPackets: 1n });
    expect(b).toMatchObject({ passedPackets: BigInt(1 + second), droppedPackets: 1n });
  });
});
