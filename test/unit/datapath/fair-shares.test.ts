// Fair shares of the tenant ceiling, the pure parts: which endpoints get a share bucket, and how the
// status report reads the programs' count of active endpoints.
import { describe, expect, it } from 'vitest';
import { activeEndpoints, fairShares } from '../../../agent/datapath/bandwidth/shares.ts';
import { EPOCH_SHIFT } from '../../../agent/datapath/codegen/fair-share.ts';
import type { BandwidthBucket } from '../../../policy/bandwidth/buckets.ts';

const bucket = (id: string, rateBitsPerSecond: number): BandwidthBucket => ({ id, rateBitsPerSecond, burstBytes: 500_000, source: 'test' });

describe('fairShares', () => {
  it("gives an endpoint a share of the tenant ceiling, at the ceiling's rate and burst, per direction charged to it", () => {
    const shares = fairShares('x/a', { egress: [bucket('pod/x/a/egress', 50e6), bucket('tenant/egress', 80e6)], ingress: [bucket('tenant/ingress', 40e6)] });
    expect(shares).toEqual({
      egress: { id: 'share/x/a/egress', rateBitsPerSecond: 80e6, burstBytes: 500_000, source: 'fair share of tenant/egress' },
      ingress: { id: 'share/x/a/ingress', rateBitsPerSecond: 40e6, burstBytes: 500_000, source: 'fair share of tenant/ingress' },
    });
  });

  it('divides nothing else: a pod limit or a namespace bucket stays a plain policer', () => {
    expect(fairShares('x/a', { egress: [bucket('pod/x/a/egress', 50e6), bucket('namespace/p/x/egress', 80e6)], ingress: [] })).toEqual({});
  });
});

describe('activeEndpoints', () => {
  const epoch = 1000n;
  const at = (e: bigint) => (e << BigInt(EPOCH_SHIFT)) + 12_345n;
  const word = (e: bigint, before: number, current: number) => (e << 32n) | (BigInt(before) << 16n) | BigInt(current);

  it('is the larger of the epoch before and this one so far, as the programs take N', () => {
    expect(activeEndpoints(word(epoch, 4, 1), at(epoch))).toBe(4);
    expect(activeEndpoints(word(epoch, 2, 3), at(epoch))).toBe(3);
  });

  it("reads a word of the last epoch as that epoch's count, an older one as nobody", () => {
    expect(activeEndpoints(word(epoch - 1n, 4, 2), at(epoch))).toBe(2);
    expect(activeEndpoints(word(epoch - 2n, 4, 2), at(epoch))).toBe(0);
    expect(activeEndpoints(0n, at(epoch))).toBe(0);
  });

  it('reads a word one epoch ahead (the bucket array read after now was taken) as current', () => {
    expect(activeEndpoints(word(epoch + 1n, 3, 1), at(epoch))).toBe(3);
  });
});
