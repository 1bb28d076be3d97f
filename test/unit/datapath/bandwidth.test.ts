// Bandwidth policing without a kernel: bucket arithmetic, bucket allocation across applies, which
// endpoints get policing programs, and the generated code's shape.
import { describe, expect, it } from 'vitest';
import { type BucketEntry, BucketTableFull, planBuckets } from '../../../agent/datapath/bandwidth/allocation.ts';
import { enforceableBandwidth } from '../../../agent/datapath/bandwidth/enforceable.ts';
import { bucketIdHash, bucketParams, bucketProblem, packetCostNs } from '../../../agent/datapath/bandwidth/params.ts';
import { compileDirection } from '../../../agent/datapath/codegen/program.ts';
import { placeholderOf } from '../../../agent/datapath/map-refs.ts';
import { planEndpoints, programsNeeded } from '../../../agent/datapath/plan.ts';
import { AtomicOp, Class, Mode } from '../../../bpf/asm/index.ts';
import type { BandwidthBucket, EndpointBandwidth } from '../../../policy/bandwidth/buckets.ts';
import { BURST_FLOOR_BYTES, enforcedBurstBytes, POLICING_BURST_SECONDS } from '../../../policy/bandwidth/burst.ts';
import { resolveEndpointPolicies } from '../../../policy/evaluation/resolve.ts';
import { inventorySchema } from '../../../policy/inventory.ts';
import { parsePolicyObject } from '../../../policy/kinds/index.ts';
import { buildPolicySet } from '../../../policy/policy-set.ts';
import { directionPolicy, policy, rule, term, tier } from '../../dataplane/datapath/support/policies.ts';

const bucket = (id: string, rateBitsPerSecond: number, burstBytes = 100_000): BandwidthBucket => ({ id, rateBitsPerSecond, burstBytes, source: 'test' });

describe('bucket parameters', () => {
  it('turns a rate into nanoseconds per byte with 16 fractional bits, and the burst into nanoseconds', () => {
    const p = bucketParams(bucket('a', 50_000_000, 3_125_000));
    expect(p.nsPerByte).toBe(160n << 16n); // 8e9 / 50e6 = 160 ns per byte
    expect(p.burstNs).toBe(500_000_000n); // 3,125,000 bytes at 6.25 MB/s = 500 ms
    expect(packetCostNs(p, 1514)).toBe(242_240n);
    // a rate with a fractional ns/byte keeps its precision: 3 Gbit/s = 2.666.. ns per byte
    const fast = bucketParams(bucket('b', 3_000_000_000));
    expect(Number(packetCostNs(fast, 65_536))).toBeCloseTo((65_536 * 8e9) / 3e9, -1);
  });

  it('raises a burst to one GSO packet and to 250 ms at the rate (TCP through a policer needs it)', () => {
    expect(enforcedBurstBytes(1, 1_000_000)).toBe(BURST_FLOOR_BYTES);
    expect(enforcedBurstBytes(BURST_FLOOR_BYTES * 3, 1_000_000)).toBe(BURST_FLOOR_BYTES * 3);
    expect(enforcedBurstBytes(312_500, 50_000_000)).toBe((50_000_000 / 8) * POLICING_BURST_SECONDS);
    expect(enforcedBurstBytes(10_000_000, 50_000_000)).toBe(10_000_000);
    expect(bucketParams(bucket('a', 1_000_000, 10)).burstNs).toBe(BigInt(BURST_FLOOR_BYTES) * 8000n);
    expect(bucketParams(bucket('a', 50_000_000, 10)).burstNs).toBe(250_000_000n);
  });

  it('refuses rates and bursts the program cannot represent', () => {
    expect(bucketProblem({ rateBitsPerSecond: 999, burstBytes: 1000 })).toMatch(/rate 999/);
    expect(bucketProblem({ rateBitsPerSecond: 2e12, burstBytes: 1000 })).toMatch(/rate/);
    expect(bucketProblem({ rateBitsPerSecond: 1.5e6, burstBytes: 0 })).toMatch(/burst 0/);
    expect(bucketProblem({ rateBitsPerSecond: 1e6, burstBytes: 2 ** 33 })).toMatch(/burst/);
    expect(bucketProblem({ rateBitsPerSecond: 1e6, burstBytes: 1 })).toBeUndefined();
    expect(() => bucketParams({ rateBitsPerSecond: Number.NaN, burstBytes: 1 })).toThrow(RangeError);
  });

  it('never hashes an id to 0 (the free mark)', () => {
    expect(bucketIdHash('tenant/egress')).not.toBe(0n);
    expect(bucketIdHash('tenant/egress')).toBe(bucketIdHash('tenant/egress'));
    expect(bucketIdHash('tenant/egress')).not.toBe(bucketIdHash('tenant/ingress'));
  });
});

describe('planBuckets', () => {
  const free: BucketEntry = { idHash: 0n, nsPerByte: 0n, burstNs: 0n };
  const entryOf = (b: BandwidthBucket): BucketEntry => ({ idHash: bucketIdHash(b.id), ...bucketParams(b) });
  const pod = bucket('pod/x/a/egress', 50e6);
  const tenant = bucket('tenant/egress', 80e6);

  it('gives new buckets free entries, once per id however many endpoints share it', () => {
    const plan = planBuckets([], [pod, tenant, tenant], 4);
    expect(plan.indexOf).toEqual(
      new Map([
        [pod.id, 0],
        [tenant.id, 1],
      ]),
    );
    expect(plan.writes.map((w) => [w.index, w.bucket.id, w.fresh])).toEqual([
      [0, pod.id, true],
      [1, tenant.id, true],
    ]);
    expect(plan.frees).toEqual([]);
  });

  it('leaves an unchanged bucket untouched (its state and counters survive), rewrites a changed one, frees unused ones', () => {
    const current = [entryOf(pod), free, entryOf(tenant)];
    expect(planBuckets(current, [pod, tenant], 4)).toEqual({
      indexOf: new Map([
        [pod.id, 0],
        [tenant.id, 2],
      ]),
      writes: [],
      frees: [],
    });
    const slower = { ...tenant, rateBitsPerSecond: 40e6 };
    const changed = planBuckets(current, [slower], 4);
    expect(changed.writes).toMatchObject([{ index: 2, fresh: false, bucket: slower }]);
    expect(changed.frees).toEqual([0]);
  });

  it('does not reuse an entry freed in the same apply (an endpoint may still point at it)', () => {
    const plan = planBuckets([entryOf(pod)], [tenant], 2);
    expect(plan.indexOf.get(tenant.id)).toBe(1);
    expect(plan.frees).toEqual([0]);
    expect(() => planBuckets([entryOf(pod)], [tenant], 1)).toThrow(BucketTableFull);
  });
});

describe('enforceableBandwidth', () => {
  it('leaves out buckets the datapath cannot enforce and a fourth bucket, naming the endpoint', () => {
    const bw: EndpointBandwidth = {
      egress: [bucket('a', 10e6), bucket('bad', 10), bucket('b', 10e6), bucket('c', 10e6), bucket('d', 10e6)],
      ingress: [],
    };
    const { endpoints, problems } = enforceableBandwidth(new Map([['x/a', bw]]));
    expect(endpoints.get('x/a')!.egress.map((b) => b.id)).toEqual(['a', 'b', 'c']);
    expect(problems.map((p) => [p.endpoint, p.message])).toEqual([
      ['x/a', expect.stringMatching(/^egress bucket bad \(test\) not enforced: rate 10 bit\/s/)],
      ['x/a', expect.stringMatching(/at most 3; not enforced: d/)],
    ]);
    expect(enforceableBandwidth(new Map([['x/b', { egress: [bucket('bad', 1)], ingress: [] }]])).endpoints.size).toBe(0);
  });
});

describe('planEndpoints with bandwidth', () => {
  const inv = inventorySchema.parse({
    namespaces: [{ name: 'x' }],
    endpoints: ['web', 'db', 'idle'].map((name, i) => ({
      namespace: 'x',
      name,
      labels: { app: name },
      ipv4: [`198.18.0.${i + 1}`],
      hostInterface: `veth${i}`,
    })),
  });
  const parsed = parsePolicyObject({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { namespace: 'x', name: 'web-ingress' },
    spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] },
  });
  if (!parsed.ok) throw new Error('invalid test policy');
  const resolved = resolveEndpointPolicies(buildPolicySet([parsed.ir]), inv);
  const limits = new Map<string, EndpointBandwidth>([
    ['x/web', { egress: [bucket('pod/x/web/egress', 50e6)], ingress: [] }],
    ['x/db', { egress: [bucket('pod/x/db/egress', 50e6), bucket('tenant/egress', 80e6)], ingress: [] }],
  ]);
  const plans = planEndpoints(resolved, limits);
  const of = (name: string) => plans.find((p) => p.endpoint === `x/${name}`)!;

  it('gives an endpoint with a limit but no policy the policing allow program on the limited hook only', () => {
    expect(of('db').hooks).toEqual({ 'from-pod': { key: 'egress:open:bw', direction: 'egress', policy: null, bandwidth: true } });
    expect(of('db').bandwidth).toBe(limits.get('x/db'));
    expect(of('idle').hooks).toEqual({});
  });

  it('polices only the limited direction of a selected endpoint, and shares the program by key', () => {
    expect(of('web').hooks['from-pod']).toEqual({ key: 'egress:open:bw', direction: 'egress', policy: null, bandwidth: true });
    expect(of('web').hooks['to-pod']).toMatchObject({ bandwidth: false, key: expect.not.stringContaining(':bw') });
    expect(programsNeeded(plans).get('egress:open:bw')!.endpoints.sort()).toEqual(['x/db', 'x/web']);
  });
});

describe('generated bandwidth code', () => {
  const allowWeb = directionPolicy('egress', [tier('default', 'Deny', [policy('np', [rule('Allow', term('TCP', [[80, 80]]))])])]);
  const mapRefs = (compiled: ReturnType<typeof compileDirection>) =>
    new Set(compiled.assembled.instructions.filter((i) => i.opcode === 0x18 && i.src === 1).map((i) => i.imm));
  const atomics = (compiled: ReturnType<typeof compileDirection>) =>
    compiled.assembled.instructions.filter((i) => (i.opcode & 0x07) === Class.STX && (i.opcode & 0xe0) === Mode.ATOMIC).map((i) => i.imm);

  it('is absent from programs of endpoints without limits', () => {
    const plain = compileDirection('egress', allowWeb);
    expect(plain.stats.bandwidth).toBe(false);
    expect(mapRefs(plain).has(placeholderOf('bw_buckets'))).toBe(false);
    // the only atomics left are the IPv4 conntrack's: a hit's two sequence reads, the record's claim
    // and release of its way (codegen/conntrack4.ts); and the allowed-flow aggregate's plain adds
    // (count and bytes, on its two paths)
    const fetchAdd = AtomicOp.ADD | AtomicOp.FETCH;
    expect(atomics(plain).sort()).toEqual([AtomicOp.ADD, AtomicOp.ADD, AtomicOp.ADD, AtomicOp.ADD, fetchAdd, fetchAdd, fetchAdd, AtomicOp.CMPXCHG].sort());
    expect(plain.dump()).not.toMatch(/^bandwidth:$/m);
  });

  it('charges every allowed path: new flows, established flows and admitted later fragments', () => {
    const policed = compileDirection('egress', allowWeb, { bandwidth: true });
    expect(policed.name).toBe(`pal_eb_${policed.hash!.slice(0, 8)}`);
    expect(policed.stats.bandwidth).toBe(true);
    expect([...mapRefs(policed)]).toEqual(expect.arrayContaining([placeholderOf('bw_buckets'), placeholderOf('bw_endpoints')]));
    expect(policed.dump()).toMatch(/^bandwidth:$/m);
    expect(policed.dump()).toMatch(/goto [+-]\d+ <bandwidth>/); // the admitted later fragment
    // `r0 = ALLOW; exit` sequences: without policing, established/new flows, fragments, non-IP and
    // ND each return; with it only non-IP, ND (uncharged) and the end of the bandwidth section do
    const allowExits = (compiled: ReturnType<typeof compileDirection>) =>
      compiled.assembled.instructions.filter((insn, i, all) => insn.opcode === 0xb7 && insn.imm === -1 && all[i + 1]?.opcode === 0x95).length;
    expect(allowExits(compileDirection('egress', allowWeb))).toBe(4);
    expect(allowExits(policed)).toBe(3);
    // GCRA: one compare-and-exchange and one fetch-add per bucket, three buckets; and the fair charge
    // of whichever of them is last (fair-share.ts): compare-and-exchange for the pod's epoch, the
    // active count, the share and the ceiling, fetch-add for the pod's ask, the share and the ceiling;
    // and the IPv4 conntrack's: the record's claim of its way and its release, a hit's two sequence reads
    expect(atomics(policed).filter((op) => op === AtomicOp.CMPXCHG)).toHaveLength(3 + 3 * 4 + 1);
    expect(atomics(policed).filter((op) => op === (AtomicOp.ADD | AtomicOp.FETCH))).toHaveLength(3 + 3 * 3 + 3);
  });
});
