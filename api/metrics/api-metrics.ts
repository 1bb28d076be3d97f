// The API's metric families: request durations by route template, and plan-limit refusals by limit.
// Built on a registry the composition root owns (one per control plane: tests run several in one
// process), recorded by api/middleware/request-metrics.ts. Labels are bounded: a route template
// (`/v1/clusters/:id`, never the path with its ids), a method, a status class and a limit name.
import { Counter, Histogram, type Registry } from 'prom-client';

/** Seconds. Most requests take milliseconds; long-polls park for up to a minute. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface ApiMetrics {
  requestDuration: Histogram<'route' | 'method' | 'status_class'>;
  limitRefusals: Counter<'limit'>;
}

export function createApiMetrics(registry: Registry): ApiMetrics {
  return {
    requestDuration: new Histogram({
      name: 'palisade_http_request_duration_seconds',
      help: 'Time to answer an API request, by matched route template, method and status class (2xx, 4xx, ...).',
      labelNames: ['route', 'method', 'status_class'],
      buckets: REQUEST_BUCKETS,
      registers: [registry],
    }),
    limitRefusals: new Counter({
      name: 'palisade_plan_limit_refusals_total',
      help: 'Writes refused with 422 because they would exceed a plan limit, by limit.',
      labelNames: ['limit'],
      registers: [registry],
    }),
  };
}
