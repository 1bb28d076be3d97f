// Builds in this process, coalesced per cluster: while a cluster's build runs, any number of new
// requests collapse into one follow-up build, which reads the latest state when it starts.
import type { Logger } from 'pino';
import { type BuildProcessor, type BuildQueue, type BuildRequest, jobKind, type OnJobFailure } from './build-queue.ts';

/** Jobs coalesce per kind and cluster: an onboarding never waits behind the cluster's build. */
const keyOf = (request: BuildRequest) => `${jobKind(request)}:${request.clusterId}`;

export function createInProcessQueue(build: BuildProcessor, logger: Logger, onJobFailure: OnJobFailure = () => {}): BuildQueue {
  const running = new Map<string, Promise<unknown>>();
  const followUps = new Map<string, BuildRequest>();
  let closed = false;

  function run(request: BuildRequest): void {
    const started = build(request)
      .catch((error: unknown) => {
        onJobFailure();
        logger.error({ err: error, clusterId: request.clusterId, kind: jobKind(request) }, 'job failed');
      })
      .finally(() => {
        const key = keyOf(request);
        running.delete(key);
        const next = followUps.get(key);
        followUps.delete(key);
        if (next && !closed) run(next);
      });
    running.set(keyOf(request), started);
  }

  return {
    async enqueue(request) {
      if (closed) throw new Error('the build queue is closed');
      const key = keyOf(request);
      if (running.has(key)) {
        const pending = followUps.get(key);
        followUps.set(key, { ...request, reissue: Boolean(request.reissue || pending?.reissue) });
      } else run(request);
    },
    async depth() {
      return { waiting: followUps.size, active: running.size };
    },
    // The queue lives in this process's memory: it is lost only with the process itself.
    onStoreRestored() {},
    async close() {
      closed = true;
      await Promise.all(running.values());
    },
  };
}
