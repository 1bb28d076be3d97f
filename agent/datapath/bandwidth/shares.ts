// Fair shares of the tenant ceiling (codegen/fair-share.ts enforces them): every endpoint charged
// to the ceiling gets a share bucket of its own, with the ceiling's rate and burst, which the
// programs divide by the number of active endpoints. Only the tenant ceiling is divided: it is the
// one bucket that stands for "this tenant's capacity on the node", shared by pods that do not
// coordinate (issue 13 item 6); a namespace bucket stays a plain policer.
import type { BandwidthBucket, EndpointBandwidth } from '../../../policy/bandwidth/buckets.ts';
import { bucketIds } from '../../../policy/bandwidth/resolve.ts';
import type { EndpointKey } from '../../../policy/inventory.ts';
import type { Direction } from '../../../policy/ir.ts';
import { EPOCH_SHIFT } from '../codegen/fair-share.ts';

/** An endpoint's share bucket per direction whose last bucket is the tenant ceiling. */
export type FairShares = Partial<Record<Direction, BandwidthBucket>>;

export function fairShares(endpoint: EndpointKey, bandwidth: EndpointBandwidth): FairShares {
  const shares: FairShares = {};
  for (const direction of ['ingress', 'egress'] as const) {
    const ceiling = bandwidth[direction].at(-1);
    if (ceiling?.id !== bucketIds.tenant(direction)) continue;
    shares[direction] = {
      id: `share/${endpoint}/${direction}`,
      rateBitsPerSecond: ceiling.rateBitsPerSecond,
      burstBytes: ceiling.burstBytes,
      source: `fair share of ${ceiling.id}`,
    };
  }
  return shares;
}

/**
 * The active endpoints a divided bucket's `activeShares` word counts at `nowNs` (CLOCK_MONOTONIC,
 * as the programs' bpf_ktime_get_ns), as the programs compute N: the larger of the epoch before's
 * count and this epoch's so far, 0 when nobody was active in either. A word one epoch ahead of
 * `nowNs` is read as current: reading the bucket array can take longer than the rest of an epoch.
 */
export function activeEndpoints(word: bigint, nowNs: bigint): number {
  const epoch = (nowNs >> BigInt(EPOCH_SHIFT)) & 0xffff_ffffn;
  const wordEpoch = word >> 32n;
  const current = Number(word & 0xffffn);
  const before = Number((word >> 16n) & 0xffffn);
  if (wordEpoch === epoch || wordEpoch === ((epoch + 1n) & 0xffff_ffffn)) return Math.max(current, before);
  return wordEpoch === ((epoch - 1n) & 0xffff_ffffn) ? current : 0;
}
