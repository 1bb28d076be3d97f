// Records every request in the API's metrics (api/metrics/api-metrics.ts): its duration under the
// route *template* Hono matched, so ids never become labels, and a plan-limit refusal under its limit.
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { ApiError } from '../errors/api-error.ts';
import type { ApiMetrics } from '../metrics/api-metrics.ts';

/** Requests no route answered (404s for made-up paths) share one label, keeping the set bounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Standard methods keep their name; anything else is one label value. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function requestMetrics(metrics: ApiMetrics): MiddlewareHandler {
  return async function recordRequestMetrics(c, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      // Middleware is registered for every method ('ALL'); the route's own handler names its method. The
      // first such handler is the one that answers: the console's catch-all GET, registered last, also
      // matches every API path.
      const route = matchedRoutes(c).find((r) => r.method !== 'ALL')?.path ?? UNMATCHED_ROUTE;
      const method = METHODS.has(c.req.method) ? c.req.method : 'OTHER';
      const statusClass = `${Math.floor(c.res.status / 100)}xx`;
      metrics.requestDuration.observe({ route, method, status_class: statusClass }, (performance.now() - started) / 1000);
      const error = c.error;
      if (error instanceof ApiError && error.code === 'LIMIT_EXCEEDED' && error.details.limit) metrics.limitRefusals.inc({ limit: error.details.limit });
    }
  };
}
