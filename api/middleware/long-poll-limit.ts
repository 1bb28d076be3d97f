// Caps the long-polls held at once per agent token and per tenant, so one token (or one tenant's
// many) cannot park unbounded requests on a delivery instance. Counts live in this process, as the
// parked requests do.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv, LongPollLimits } from '../env.ts';
import { tooManyRequests } from './too-many-requests.ts';

/** An agent told to come back waits this long: a slot frees when a parked poll ends, within its wait. */
const RETRY_AFTER_SECONDS = 10;

function adjust(counts: Map<string, number>, key: string, by: number) {
  const count = (counts.get(key) ?? 0) + by;
  if (count === 0) counts.delete(key);
  else counts.set(key, count);
}

export function longPollLimit(limits: LongPollLimits): MiddlewareHandler<AppEnv> {
  const byToken = new Map<string, number>();
  const byTenant = new Map<string, number>();
  return async function capLongPolls(c, next) {
    const { tokenId, tenantId } = c.get('agent');
    if ((byToken.get(tokenId) ?? 0) >= limits.perToken) {
      return tooManyRequests(c, RETRY_AFTER_SECONDS, `this agent token already holds ${limits.perToken} bundle polls`);
    }
    if ((byTenant.get(tenantId) ?? 0) >= limits.perTenant) {
      return tooManyRequests(c, RETRY_AFTER_SECONDS, `this tenant's agents already hold ${limits.perTenant} bundle polls`);
    }
    adjust(byToken, tokenId, 1);
    adjust(byTenant, tenantId, 1);
    try {
      await next();
    } finally {
      adjust(byToken, tokenId, -1);
      adjust(byTenant, tenantId, -1);
    }
  };
}
