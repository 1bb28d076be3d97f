// Usage's per-pod bandwidth: rows from the token buckets agents report in their status (skipping what
// is not a bucket), shared buckets marked, and throughput between successive reports.
import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../../console/src/client/types.ts';
import { bitRate } from '../../../console/src/format.ts';
import { podBandwidth, recordReadings, throughputSeries } from '../../../console/src/usage/bandwidth.ts';

const bucket = (id: string, passedBytes: number, source = 'BandwidthPolicy/shop/cap') => ({
  id,
  source,
  rateBitsPerSecond: 10_000_000,
  burstBytes: 125_000,
  enforcedBurstBytes: 125_000,
  passedPackets: passedBytes / 1000,
  passedBytes,
  droppedPackets: 2,
  droppedBytes: 3000,
});

const agent = (reportedAt: string, passedBytes: number): AgentStatus => ({
  nodeName: 'node-a',
  appliedRevision: 3,
  inventoryHash: null,
  agentVersion: 'test',
  errors: [],
  reportedAt,
  flows: { folded: 0, dropped: 0 },
  programs: {
    'shop/web': {
      rules: 2,
      bandwidth: { ingress: [], egress: [bucket('pod/shop/web/egress', passedBytes), bucket('tenant/egress', 9_000_000, 'plan')] },
    },
    'shop/db': { rules: 1 },
    'shop/odd': { bandwidth: { ingress: [{ id: 'pod/shop/odd/ingress' }, 'nonsense'], egress: 'nonsense' } },
  },
});

describe('per-pod bandwidth', () => {
  it("lists each pod's buckets per direction, marking shared ones and skipping malformed reports", () => {
    const rows = podBandwidth('prod', [agent('2026-12-07T00:00:00.000Z', 1_000_000)]);
    expect(
      rows.map(({ pod, direction, bucket, source, shared, passedBytes, droppedPackets }) => ({
        pod,
        direction,
        bucket,
        source,
        shared,
        passedBytes,
        droppedPackets,
      })),
    ).toEqual([
      {
        pod: 'shop/web',
        direction: 'egress',
        bucket: 'pod/shop/web/egress',
        source: 'BandwidthPolicy/shop/cap',
        shared: false,
        passedBytes: 1_000_000,
        droppedPackets: 2,
      },
      { pod: 'shop/web', direction: 'egress', bucket: 'tenant/egress', source: 'plan', shared: true, passedBytes: 9_000_000, droppedPackets: 2 },
    ]);
  });

  it("turns successive reports of a pod's own bucket into bit/s, once per report, with a gap where the counter went back", () => {
    let history = recordReadings(new Map(), podBandwidth('prod', [agent('2026-12-07T00:00:00.000Z', 1_000_000)]));
    history = recordReadings(history, podBandwidth('prod', [agent('2026-12-07T00:00:00.000Z', 1_000_000)]));
    expect(throughputSeries(history)).toEqual({ labels: [], data: [[]] });
    history = recordReadings(history, podBandwidth('prod', [agent('2026-12-07T00:00:10.000Z', 2_250_000)]));
    history = recordReadings(history, podBandwidth('prod', [agent('2026-12-07T00:00:20.000Z', 500)]));
    const t0 = Date.parse('2026-12-07T00:00:00.000Z') / 1000;
    expect(throughputSeries(history)).toEqual({
      labels: ['shop/web egress'],
      data: [
        [t0 + 10, t0 + 20],
        [1_000_000, null],
      ],
    });
  });

  it('reads rates in the unit that fits', () => {
    expect([bitRate(512), bitRate(1_500), bitRate(10_000_000), bitRate(2_500_000_000)]).toEqual(['512 bit/s', '1.5 kbit/s', '10 Mbit/s', '2.5 Gbit/s']);
  });
});
