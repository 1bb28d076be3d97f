// Which entry of the node's bucket array each wanted bucket occupies (pure: the dataplane reads the
// array, plans with this, then writes). A bucket whose id, rate and burst are unchanged keeps its
// entry untouched, state and counters included: an apply, or an agent restart (the array is
// pinned; entries carry a hash of their id), never hands out a fresh burst. A changed rate or
// burst rewrites the parameters and restarts the bucket, keeping its counters. New buckets take
// entries free before this apply; entries no wanted bucket uses are freed only after the endpoints
// that pointed at them were repointed, so no packet is ever charged to a reused entry.
import type { BandwidthBucket } from '../../../policy/bandwidth/buckets.ts';
import { type BucketParams, bucketIdHash, bucketParams } from './params.ts';

/** What an entry of the array holds now (idHash 0: free). */
export interface BucketEntry {
  idHash: bigint;
  nsPerByte: bigint;
  burstNs: bigint;
}

export interface BucketWrite {
  index: number;
  bucket: BandwidthBucket;
  idHash: bigint;
  params: BucketParams;
  /** A new bucket (counters start at 0); otherwise its rate or burst changed (counters kept). */
  fresh: boolean;
}

export interface BucketPlan {
  /** Entry of every wanted bucket, by id. */
  indexOf: Map<string, number>;
  /** Entries to write before any endpoint points at them. */
  writes: BucketWrite[];
  /** Entries to clear once no endpoint points at them. */
  frees: number[];
}

export class BucketTableFull extends Error {
  constructor(
    readonly wanted: number,
    readonly capacity: number,
  ) {
    super(`the node needs ${wanted} bandwidth buckets; the bucket map holds ${capacity}`);
  }
}

/**
 * `current[i]` is entry i of the array (entries past its end are free). Buckets are given in a
 * stable order (the first of equal ids wins: the resolver gives every endpoint the same values).
 * Throws BucketTableFull when the free entries do not suffice.
 */
export function planBuckets(current: readonly BucketEntry[], wanted: Iterable<BandwidthBucket>, capacity: number): BucketPlan {
  const byHash = new Map<bigint, number>();
  current.forEach((entry, index) => {
    if (entry.idHash !== 0n && !byHash.has(entry.idHash)) byHash.set(entry.idHash, index);
  });
  const free: number[] = [];
  for (let index = capacity - 1; index >= 0; index--) if ((current[index]?.idHash ?? 0n) === 0n) free.push(index);

  const indexOf = new Map<string, number>();
  const writes: BucketWrite[] = [];
  const unique = new Map<string, BandwidthBucket>();
  for (const bucket of wanted) if (!unique.has(bucket.id)) unique.set(bucket.id, bucket);
  const missing = [...unique.values()].filter((b) => !byHash.has(bucketIdHash(b.id))).length;
  if (missing > free.length) throw new BucketTableFull(unique.size, capacity);

  for (const bucket of unique.values()) {
    const idHash = bucketIdHash(bucket.id);
    const params = bucketParams(bucket);
    const index = byHash.get(idHash);
    if (index === undefined) {
      const taken = free.pop()!;
      indexOf.set(bucket.id, taken);
      writes.push({ index: taken, bucket, idHash, params, fresh: true });
      continue;
    }
    indexOf.set(bucket.id, index);
    const entry = current[index]!;
    if (entry.nsPerByte !== params.nsPerByte || entry.burstNs !== params.burstNs) writes.push({ index, bucket, idHash, params, fresh: false });
  }
  const used = new Set(indexOf.values());
  const frees = current.flatMap((entry, index) => (entry.idHash !== 0n && !used.has(index) ? [index] : []));
  return { indexOf, writes, frees };
}
