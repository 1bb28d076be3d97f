// The bandwidth maps from user space: read the bucket array, write the entries a plan asks for,
// point (interface, hook) at bucket indexes, read the counters. Kernel at the edge: the decisions
// are allocation.ts's.
import type { BpfMap } from '../../../bpf/kernel/map.ts';
import type { Hook } from '../codegen/hooks.ts';
import { BandwidthBucketValue, BandwidthEndpointKey, BandwidthEndpointValue, BW_BUCKETS_PER_ENDPOINT, BW_NO_BUCKET, HookCode } from '../layouts.ts';
import type { BucketEntry, BucketPlan } from './allocation.ts';

export interface BucketCounters {
  passedPackets: number;
  passedBytes: number;
  droppedPackets: number;
  droppedBytes: number;
  /** The active-endpoint count of a divided bucket (layouts.ts), as the programs keep it. */
  activeShares: bigint;
}

const ZERO_BUCKET = Buffer.alloc(BandwidthBucketValue.size);

const indexKey = (index: number): Buffer => {
  const key = Buffer.alloc(4);
  key.writeUInt32LE(index);
  return key;
};

export const endpointKey = (ifindex: number, hook: Hook): Buffer =>
  BandwidthEndpointKey.encode({ ifindex, hook: hook === 'from-pod' ? HookCode.FROM_POD : HookCode.TO_POD });

export class BandwidthMaps {
  constructor(
    private readonly buckets: BpfMap,
    private readonly endpoints: BpfMap,
  ) {}

  get capacity(): number {
    return this.buckets.maxEntries;
  }

  /**
   * Every entry of the bucket array, in index order. Read a batch at a time in place, and an entry
   * whose bytes are all zero (every bucket of a node without bandwidth limits) is not decoded: the
   * plan phase reads all 4,096 on every apply, the agent's first included.
   */
  readBuckets(): (BucketEntry & BucketCounters)[] {
    const out: (BucketEntry & BucketCounters)[] = [];
    const size = this.buckets.valueBufferSize;
    this.buckets.forEachBatch((keys, values, count) => {
      for (let i = 0; i < count; i++) {
        const value = values.subarray(i * size, (i + 1) * size);
        if (value.equals(ZERO_BUCKET)) continue; // an idle bucket, filled in below
        const v = BandwidthBucketValue.decode(value);
        out[keys.readUInt32LE(i * 4)] = {
          idHash: v.idHash,
          nsPerByte: v.nsPerByte,
          burstNs: v.burstNs,
          passedPackets: Number(v.passedPackets),
          passedBytes: Number(v.passedBytes),
          droppedPackets: Number(v.droppedPackets),
          droppedBytes: Number(v.droppedBytes),
          activeShares: v.activeShares,
        };
      }
    });
    for (let i = 0; i < this.capacity; i++)
      out[i] ??= { idHash: 0n, nsPerByte: 0n, burstNs: 0n, passedPackets: 0, passedBytes: 0, droppedPackets: 0, droppedBytes: 0, activeShares: 0n };
    return out;
  }

  /** The plan's writes: a restarted bucket starts idle (tat 0: its full burst), a changed one keeps its counters. */
  write(plan: BucketPlan): void {
    for (const w of plan.writes) {
      const key = indexKey(w.index);
      const old = w.fresh ? undefined : this.buckets.lookup(key);
      const kept = old ? BandwidthBucketValue.decode(old) : undefined;
      this.buckets.update(
        key,
        BandwidthBucketValue.encode({
          tat: 0n,
          nsPerByte: w.params.nsPerByte,
          burstNs: w.params.burstNs,
          idHash: w.idHash,
          passedPackets: kept?.passedPackets ?? 0n,
          passedBytes: kept?.passedBytes ?? 0n,
          droppedPackets: kept?.droppedPackets ?? 0n,
          droppedBytes: kept?.droppedBytes ?? 0n,
          activeShares: 0n,
          epochUse: 0n,
        }),
      );
    }
  }

  /** Clear entries (idHash 0: free for the next apply). */
  free(indexes: readonly number[]): void {
    const zero = Buffer.alloc(BandwidthBucketValue.size);
    for (const index of indexes) this.buckets.update(indexKey(index), zero);
  }

  /** Point an endpoint's hook at its buckets (charge order) and its fair-share bucket of the last one. */
  setEndpoint(ifindex: number, hook: Hook, indexes: readonly number[], share: number = BW_NO_BUCKET): Buffer {
    if (indexes.length === 0 || indexes.length > BW_BUCKETS_PER_ENDPOINT) {
      throw new RangeError(`an endpoint is charged to 1..${BW_BUCKETS_PER_ENDPOINT} buckets, not ${indexes.length}`);
    }
    const key = endpointKey(ifindex, hook);
    const value = BandwidthEndpointValue.encode({
      bucket0: indexes[0]!,
      bucket1: indexes[1] ?? BW_NO_BUCKET,
      bucket2: indexes[2] ?? BW_NO_BUCKET,
      share,
    });
    const current = this.endpoints.lookup(key);
    if (!current?.equals(value)) this.endpoints.update(key, value);
    return key;
  }

  /** Remove every endpoint entry but `keep` (keys as setEndpoint returned them). */
  retainEndpoints(keep: readonly Buffer[]): void {
    const wanted = new Set(keep.map((k) => k.toString('hex')));
    const { keys } = this.endpoints.lookupBatch();
    for (const key of keys) if (!wanted.has(key.toString('hex'))) this.endpoints.delete(key);
  }
}
