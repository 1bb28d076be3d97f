// The per-tenant concurrency cap as middleware (concurrency-slots.ts): after authentication names the
// tenant, a request runs when one of the tenant's slots is free, waits in the tenant's queue when not,
// and is refused with 429 and Retry-After when the queue is full too. Without it one tenant's 50
// clients held every database connection of the pool and another tenant's reads waited behind them.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import type { ConcurrencySlots } from './concurrency-slots.ts';
import { tooManyRequests } from './too-many-requests.ts';

/** A refused request retries in a second: by then the queue ahead of it has moved on. */
const RETRY_AFTER_SECONDS = 1;

export function tenantConcurrency(slots: ConcurrencySlots): MiddlewareHandler<AppEnv> {
  return async function capTenantConcurrency(c, next) {
    const waiting = slots.acquire(c.get('caller').tenantId);
    if (!waiting) {
      const { inFlight, queued } = slots.policy;
      return tooManyRequests(c, RETRY_AFTER_SECONDS, `this tenant already has ${inFlight} requests running and ${queued} waiting`);
    }
    const release = await waiting;
    try {
      await next();
    } finally {
      release();
    }
  };
}
