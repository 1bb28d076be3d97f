// One control plane's metrics registry (never prom-client's global one: tests run several control
// planes in one process): the API's and the workers' families, plus what is read at scrape time —
// parked long-polls, outbox lag and the database pool.
import { Gauge, Registry } from 'prom-client';
import type { ApiMetrics } from '../../api/metrics/api-metrics.ts';
import { createApiMetrics } from '../../api/metrics/api-metrics.ts';
import type { BundleWaiters } from '../../api/services/bundle-waiters.ts';
import type { Database } from '../../db/index.ts';
import { outboxLagSeconds } from '../../workers/metrics/outbox-lag.ts';
import { createWorkerMetrics, type WorkerMetrics } from '../../workers/metrics/worker-metrics.ts';

export interface ControlPlaneMetrics {
  registry: Registry;
  api: ApiMetrics;
  workers: WorkerMetrics;
  /** Reports parked long-polls from these waiters (the roles that serve HTTP). */
  watchWaiters(waiters: BundleWaiters): void;
  /** Reports the outbox lag (the roles that relay). */
  watchOutbox(): void;
}

export function createControlPlaneMetrics(database: Database): ControlPlaneMetrics {
  const registry = new Registry();
  new Gauge({
    name: 'palisade_db_pool_connections',
    help: 'Database connections of this process, by state: max (the pool size), open, busy (postgres.js only: PGlite cannot tell).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const stats = await database.poolStats();
      this.set({ state: 'max' }, stats.max);
      this.set({ state: 'open' }, stats.open);
      if (stats.busy !== undefined) this.set({ state: 'busy' }, stats.busy);
    },
  });
  return {
    registry,
    api: createApiMetrics(registry),
    workers: createWorkerMetrics(registry),
    watchWaiters(waiters) {
      new Gauge({
        name: 'palisade_long_poll_waiters',
        help: 'Agent bundle long-polls parked in this process now.',
        registers: [registry],
        collect() {
          this.set(waiters.parked);
        },
      });
    },
    watchOutbox() {
      new Gauge({
        name: 'palisade_outbox_lag_seconds',
        help: 'Age of the oldest outbox row not yet relayed to the build queue (0 when none waits): how far builds trail writes.',
        registers: [registry],
        async collect() {
          this.set(await outboxLagSeconds(database.db));
        },
      });
    },
  };
}
