// Token buckets by key (a tenant, an agent token, a client network), in this process's memory: the
// pure core of the rate limits. Each key's bucket holds up to `burst` requests and refills at
// `perSecond`; a request takes one token or is refused with the wait until the next one.
// Per-process state is enough on one node; a deployment of several processes (Lambda containers,
// more than one server) multiplies the limits by the process count, and would keep the buckets in a
// shared store instead (Redis/Valkey, one atomic script per take).

export interface BucketPolicy {
  /** Names the limit in the RateLimit headers. */
  name: string;
  burst: number;
  perSecond: number;
}

export interface BucketVerdict {
  allowed: boolean;
  /** Whole requests left in the bucket after this one. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  fullInSeconds: number;
  /** Seconds until the next request would be let through (0 when this one was). */
  retryAfterSeconds: number;
}

export interface TokenBuckets {
  readonly policy: BucketPolicy;
  take(key: string): BucketVerdict;
}

/**
 * Keys tracked at most: past it, full buckets (the same as no bucket) are dropped, then the oldest,
 * so a flood of new keys (addresses) costs bounded memory; a dropped key starts again full.
 */
const MAX_KEYS = 100_000;

interface Bucket {
  tokens: number;
  at: number;
}

export function tokenBuckets(policy: BucketPolicy, nowMs: () => number = () => performance.now()): TokenBuckets {
  const buckets = new Map<string, Bucket>();

  function refilled(bucket: Bucket, now: number): number {
    return Math.min(policy.burst, bucket.tokens + ((now - bucket.at) / 1000) * policy.perSecond);
  }

  function makeRoom(now: number) {
    for (const [key, bucket] of buckets) if (refilled(bucket, now) >= policy.burst) buckets.delete(key);
    for (const key of buckets.keys()) {
      if (buckets.size < MAX_KEYS) break;
      buckets.delete(key);
    }
  }

  return {
    policy,
    take(key) {
      const now = nowMs();
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= MAX_KEYS) makeRoom(now);
        bucket = { tokens: policy.burst, at: now };
        buckets.set(key, bucket);
      }
      bucket.tokens = refilled(bucket, now);
      bucket.at = now;
      const allowed = bucket.tokens >= 1;
      if (allowed) bucket.tokens -= 1;
      return {
        allowed,
        remaining: Math.floor(bucket.tokens),
        fullInSeconds: Math.ceil((policy.burst - bucket.tokens) / policy.perSecond),
        retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / policy.perSecond)),
      };
    },
  };
}
