// Rate limits as middleware: the caller's key picks a bucket (token-buckets.ts); every answer carries
// the IETF draft's RateLimit-Policy and RateLimit headers (draft-ietf-httpapi-ratelimit-headers), and
// an empty bucket answers 429 with Retry-After before the request does any work.
//
// The 429 is held before it is sent (`holdMs`, at most the Retry-After it carries). A client that
// retries at once (a CI loop without back-off, a script gone wrong) otherwise turns its excess into
// thousands of requests a second, each authenticated and refused on the event loop every tenant
// shares: measured, one tenant's flood from 50 connections, 96% of it refused, took another tenant's
// p99 from 23 to 161 ms. Held, each connection gets about one answer a second, which costs a timer. A
// client that honours Retry-After waits that long anyway; the hold happens before any slot or
// database connection is taken.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import type { BucketVerdict, TokenBuckets } from './token-buckets.ts';
import { tooManyRequests } from './too-many-requests.ts';

interface RateLimitTarget {
  buckets: TokenBuckets;
  key: string;
}

function policyHeader({ policy }: TokenBuckets): string {
  // q requests per window w: a full bucket, and the seconds it takes to refill from empty.
  return `"${policy.name}";q=${policy.burst};w=${Math.ceil(policy.burst / policy.perSecond)}`;
}

function stateHeader({ policy }: TokenBuckets, verdict: BucketVerdict): string {
  return `"${policy.name}";r=${verdict.remaining};t=${verdict.fullInSeconds}`;
}

/** Takes one request from the bucket `targetOf` names for the request; a refusal is held up to `holdMs`. */
export function rateLimit(targetOf: (c: Context<AppEnv>) => RateLimitTarget, holdMs: number): MiddlewareHandler<AppEnv> {
  return async function limitRate(c, next) {
    const { buckets, key } = targetOf(c);
    const verdict = buckets.take(key);
    const headers = { 'ratelimit-policy': policyHeader(buckets), ratelimit: stateHeader(buckets, verdict) };
    if (!verdict.allowed) {
      const hold = Math.min(holdMs, verdict.retryAfterSeconds * 1_000);
      if (hold > 0) await sleep(hold);
      const refused = tooManyRequests(c, verdict.retryAfterSeconds, `rate limit "${buckets.policy.name}" reached: retry in ${verdict.retryAfterSeconds} s`);
      for (const [name, value] of Object.entries(headers)) refused.headers.set(name, value);
      return refused;
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}
