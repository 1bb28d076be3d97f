// The dataplane's bandwidth side of an apply, and what it enforces between applies: where each
// bucket goes in the node's array (planned by the plan phase before anything loads, written once
// everything loaded), which (interface, hook) is charged to which buckets (pointed before the
// interface's programs are attached, retained only for what this apply pointed), and the counters
// the status report shows.
import type { BandwidthBucket, EndpointBandwidth } from '../../../policy/bandwidth/buckets.ts';
import { enforcedBurstBytes } from '../../../policy/bandwidth/burst.ts';
import type { EndpointKey } from '../../../policy/inventory.ts';
import type { Direction } from '../../../policy/ir.ts';
import type { Hook } from '../codegen/hooks.ts';
import type { ProgramStats } from '../dataplane.ts';
import type { BucketEntry, BucketPlan } from './allocation.ts';
import type { BandwidthMaps } from './maps.ts';
import { activeEndpoints, type FairShares } from './shares.ts';

/** One token bucket as the status report and bandwidthCounters() show it. */
export interface BucketStatus {
  id: string;
  source: string;
  rateBitsPerSecond: number;
  burstBytes: number;
  /** The burst enforced (policy/bandwidth/burst.ts enforcedBurstBytes): the bucket's, or the dataplane's minimum. */
  enforcedBurstBytes: number;
  /** Packets and L2 bytes the bucket let through / dropped over its limit (all endpoints sharing it). */
  passedPackets: number;
  passedBytes: number;
  droppedPackets: number;
  droppedBytes: number;
  /** A bucket divided into fair shares (the tenant ceiling): the endpoints active on it now (shares.ts). */
  activeEndpoints?: number;
  /** A fair-share bucket: the bucket it is a share of (its counts are part of that bucket's). */
  shareOf?: string;
}

/**
 * A fair-share bucket (`share/<endpoint>/<direction>`, bandwidth/shares.ts) counts the endpoint's
 * part of the tenant ceiling's counters: its packets the ceiling passed (within its share or lent)
 * and dropped.
 */
export interface BandwidthCounter extends BucketStatus {
  /** Who is charged to the bucket: one endpoint for a pod's own, several for shared ones. */
  endpoints: { endpoint: EndpointKey; direction: Direction }[];
}

/** One apply's bandwidth work, from plan to commit. */
export interface BandwidthApply {
  buckets: BucketPlan;
  pointed: Buffer[];
}

export class BandwidthEnforcement {
  /** Enforced now: each endpoint's buckets per direction in charge order, and each bucket's index. */
  private enforced = new Map<EndpointKey, EndpointBandwidth>();
  private indexOf = new Map<string, number>();
  private shares = new Map<EndpointKey, FairShares>();

  constructor(private readonly maps: BandwidthMaps) {}

  /** The node's bucket array as it is now, for the plan phase (agent/datapath/plan.ts). */
  bucketTable(): { entries: readonly BucketEntry[]; capacity: number } {
    return { entries: this.maps.readBuckets(), capacity: this.maps.capacity };
  }

  /** The plan's bucket entries, once every program has loaded. */
  write(apply: BandwidthApply): void {
    this.maps.write(apply.buckets);
  }

  /** Charge an interface's hook to its buckets (and its fair share of the last), before the hook's program is attached. */
  point(apply: BandwidthApply, ifindex: number, hook: Hook, buckets: readonly BandwidthBucket[], share?: BandwidthBucket): void {
    const indexOf = (b: BandwidthBucket) => apply.buckets.indexOf.get(b.id)!;
    apply.pointed.push(this.maps.setEndpoint(ifindex, hook, buckets.map(indexOf), share ? indexOf(share) : undefined));
  }

  /** After the swap: forget what this apply did not point, free unused buckets, remember what is enforced. */
  commit(apply: BandwidthApply, enforced: Map<EndpointKey, EndpointBandwidth>, shares: Map<EndpointKey, FairShares>): void {
    this.maps.retainEndpoints(apply.pointed);
    this.maps.free(apply.buckets.frees);
    this.indexOf = apply.buckets.indexOf;
    this.enforced = enforced;
    this.shares = shares;
  }

  /** Each enforced bucket once, with its counters, by id. */
  private statuses(): Map<string, BucketStatus> {
    const now = process.hrtime.bigint(); // CLOCK_MONOTONIC, as bpf_ktime_get_ns
    const entries = this.maps.readBuckets();
    // each share's id -> the id of the bucket it divides (its endpoint's last in that direction)
    const shareOf = new Map(
      [...this.enforced].flatMap(([endpoint, bw]) =>
        Object.entries(this.shares.get(endpoint) ?? {}).map(([direction, share]) => [share.id, bw[direction as Direction].at(-1)!.id] as const),
      ),
    );
    const divided = new Set(shareOf.values());
    const out = new Map<string, BucketStatus>();
    for (const [endpoint, bw] of this.enforced) {
      for (const bucket of [...bw.egress, ...bw.ingress, ...Object.values(this.shares.get(endpoint) ?? {})]) {
        const entry = entries[this.indexOf.get(bucket.id)!];
        if (out.has(bucket.id) || !entry) continue;
        out.set(bucket.id, {
          id: bucket.id,
          source: bucket.source,
          rateBitsPerSecond: bucket.rateBitsPerSecond,
          burstBytes: bucket.burstBytes,
          enforcedBurstBytes: enforcedBurstBytes(bucket.burstBytes, bucket.rateBitsPerSecond),
          passedPackets: entry.passedPackets,
          passedBytes: entry.passedBytes,
          droppedPackets: entry.droppedPackets,
          droppedBytes: entry.droppedBytes,
          ...(divided.has(bucket.id) && { activeEndpoints: activeEndpoints(entry.activeShares, now) }),
          ...(shareOf.has(bucket.id) && { shareOf: shareOf.get(bucket.id) }),
        });
      }
    }
    return out;
  }

  counters(): BandwidthCounter[] {
    const charged = new Map<string, BandwidthCounter['endpoints']>();
    for (const [endpoint, bw] of this.enforced) {
      for (const direction of ['ingress', 'egress'] as const) {
        const share = this.shares.get(endpoint)?.[direction];
        for (const b of [...bw[direction], ...(share ? [share] : [])]) charged.set(b.id, [...(charged.get(b.id) ?? []), { endpoint, direction }]);
      }
    }
    return [...this.statuses().values()].map((status) => ({ ...status, endpoints: charged.get(status.id) ?? [] }));
  }

  /** ProgramStats.bandwidth of every endpoint with limits: its buckets per direction, counters as of now. */
  liveStats(): Record<EndpointKey, ProgramStats> {
    if (this.enforced.size === 0) return {};
    const statuses = this.statuses();
    const view = (buckets: readonly BandwidthBucket[]) => buckets.map((b) => statuses.get(b.id)!);
    return Object.fromEntries([...this.enforced].map(([endpoint, bw]) => [endpoint, { bandwidth: { ingress: view(bw.ingress), egress: view(bw.egress) } }]));
  }
}
