// BullMQ on Redis. Job id = outbox id; deduplication id = cluster id with keepLastIfActive, so a burst
// of edits to one cluster yields at most one running and one waiting job, and the waiting one reads
// the latest state when it runs (an edit made during a build is never lost).
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type BuildProcessor, type BuildQueue, type BuildRequest, jobKind, type OnJobFailure } from './build-queue.ts';
import { UnrecoverableBuildError } from './unrecoverable.ts';

export const BUILD_QUEUE_NAME = 'palisade-bundle-build';

export interface BullmqQueueOptions {
  redisUrl: string;
  /** Run the worker in this process too (the single-process shape); false for an API-only process. */
  work: boolean;
  concurrency?: number;
  /** BullMQ key prefix: processes that share it share the queue. */
  prefix: string;
  /** Called for every failed attempt this process's worker ran. */
  onJobFailure?: OnJobFailure;
}

/** BullMQ's workers block on Redis; they must not give up on a slow reply (maxRetriesPerRequest null). */
function connect(redisUrl: string): Redis {
  return new Redis(redisUrl, { maxRetriesPerRequest: null });
}

/** Retries are for failures that may pass (a lost connection); one that cannot fails the job at once. */
async function runBuild(build: BuildProcessor, request: BuildRequest): Promise<unknown> {
  try {
    return await build(request);
  } catch (error) {
    if (error instanceof UnrecoverableBuildError) throw new UnrecoverableError(error.message);
    throw error;
  }
}

export function createBullmqQueue(build: BuildProcessor, logger: Logger, options: BullmqQueueOptions): BuildQueue {
  // Under native ESM, BullMQ takes constructed clients rather than connection options.
  const queueConnection = connect(options.redisUrl);
  const workerConnection = options.work ? connect(options.redisUrl) : undefined;
  const { prefix } = options;
  const queue = new Queue<BuildRequest>(BUILD_QUEUE_NAME, { connection: queueConnection, prefix });
  const worker = workerConnection
    ? new Worker<BuildRequest>(BUILD_QUEUE_NAME, (job) => runBuild(build, job.data), {
        connection: workerConnection,
        prefix,
        concurrency: options.concurrency ?? 4,
      })
    : undefined;
  // The first `ready` is the first connection; every later one follows a lost connection.
  let connectedBefore = false;
  const restoredListeners: (() => void)[] = [];
  queueConnection.on('ready', () => {
    if (connectedBefore) {
      logger.warn('the build queue reconnected to Redis; jobs it held may be lost');
      for (const listener of restoredListeners) listener();
    }
    connectedBefore = true;
  });
  worker?.on('failed', (job, error) => {
    options.onJobFailure?.();
    logger.error({ err: error, jobId: job?.id, clusterId: job?.data.clusterId, kind: job && jobKind(job.data) }, 'job failed');
  });

  return {
    async enqueue(request) {
      const kind = jobKind(request);
      // Bundle builds keep their original ids and deduplication ids; other kinds are prefixed with theirs.
      const scope = kind === 'bundle-build' ? '' : `${kind}-`;
      await queue.add(kind === 'bundle-build' ? 'build' : kind, request, {
        // BullMQ refuses integer-looking custom ids, and ignores an add whose id it already holds.
        jobId: request.outboxId === undefined ? `${scope}reissue-${request.clusterId}-${Date.now()}` : `outbox-${request.outboxId}`,
        deduplication: { id: `${scope}cluster-${request.clusterId}`, keepLastIfActive: true },
        attempts: 5,
        backoff: { type: 'exponential', delay: 200 },
        removeOnComplete: 1000,
        removeOnFail: 5000,
      });
    },
    async depth() {
      // prioritized and delayed jobs (retries waiting out their backoff) have not started either
      const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
      return { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0), active: counts.active ?? 0 };
    },
    onStoreRestored(listener) {
      restoredListeners.push(listener);
    },
    async close() {
      await worker?.close();
      await queue.close();
      workerConnection?.disconnect();
      queueConnection.disconnect();
    },
  };
}
