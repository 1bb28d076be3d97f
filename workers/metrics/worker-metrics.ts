// The workers' metric families: bundle builds (duration, size, the revision last built) and their
// failures, and the build queue (jobs waiting and running, failed jobs). Built on the registry the
// composition root owns; recorded by instrumentBuilds (below) and the queue implementations.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BuildOutcome } from '../bundle/build-bundle.ts';
import type { BuildProcessor, BuildQueue } from '../queue/build-queue.ts';
import { UnrecoverableBuildError } from '../queue/unrecoverable.ts';

export type QueueKind = 'bullmq' | 'in-process';

export interface WorkerMetrics {
  buildDuration: Histogram<'outcome'>;
  bundleBytes: Histogram;
  lastBuiltRevision: Gauge;
  buildFailures: Counter<'reason'>;
  jobFailures: Counter<'queue'>;
}

/** Bytes: a bundle of a few policies is a few KiB; the agent's default ceiling is 8 MiB. */
const BUNDLE_BYTE_BUCKETS = [1_024, 4_096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 8_388_608];

export function createWorkerMetrics(registry: Registry): WorkerMetrics {
  return {
    buildDuration: new Histogram({
      name: 'palisade_bundle_build_duration_seconds',
      help: 'Time to build and sign a bundle (load policies, normalise, encode, sign, store), by outcome: built, unchanged, cluster_deleted, failed.',
      labelNames: ['outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    bundleBytes: new Histogram({
      name: 'palisade_bundle_size_bytes',
      help: 'Size of each signed bundle built (the compact JWS agents download).',
      buckets: BUNDLE_BYTE_BUCKETS,
      registers: [registry],
    }),
    lastBuiltRevision: new Gauge({
      name: 'palisade_bundle_last_built_revision',
      help: "Revision of the bundle this process built last (revisions count per cluster: with one cluster, that cluster's latest).",
      registers: [registry],
    }),
    buildFailures: new Counter({
      name: 'palisade_bundle_build_failures_total',
      help: 'Bundle builds that threw, by reason: unrecoverable (a stored object no longer validates) or error (retried).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    jobFailures: new Counter({
      name: 'palisade_queue_job_failures_total',
      help: 'Build jobs that failed in the queue (each failed attempt), by queue implementation.',
      labelNames: ['queue'],
      registers: [registry],
    }),
  };
}

/** The builder, measured: duration by outcome, size and revision of what it built, failures by reason. */
export function instrumentBuilds(build: (request: Parameters<BuildProcessor>[0]) => Promise<BuildOutcome>, metrics: WorkerMetrics): BuildProcessor {
  return async function measuredBuild(request) {
    const stop = metrics.buildDuration.startTimer();
    try {
      const outcome = await build(request);
      stop({ outcome: outcome.built ? 'built' : outcome.reason.replace('-', '_') });
      if (outcome.built) {
        metrics.bundleBytes.observe(outcome.bytes);
        metrics.lastBuiltRevision.set(outcome.revision);
      }
      return outcome;
    } catch (error) {
      stop({ outcome: 'failed' });
      metrics.buildFailures.inc({ reason: error instanceof UnrecoverableBuildError ? 'unrecoverable' : 'error' });
      throw error;
    }
  };
}

/** Jobs waiting and running in the build queue, read from the queue at scrape time. */
export function registerQueueDepth(registry: Registry, queue: BuildQueue, kind: QueueKind): void {
  new Gauge({
    name: 'palisade_build_queue_jobs',
    help: 'Build jobs in the queue now, by state (waiting: not started; active: running) and queue implementation.',
    labelNames: ['state', 'queue'],
    registers: [registry],
    async collect() {
      const depth = await queue.depth();
      this.set({ state: 'waiting', queue: kind }, depth.waiting);
      this.set({ state: 'active', queue: kind }, depth.active);
    },
  });
}
