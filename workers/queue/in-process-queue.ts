// Builds in this process, coalesced per cluster: while a cluster's build runs, any number of new
// requests collapse into one follow-up build, which reads the latest state when it starts.
import type { Logger } from 'pino';
import type { BuildProcessor, BuildQueue, BuildRequest, OnJobFailure } from './build-queue.ts';

export function createInProcessQueue(build: BuildProcessor, logger: Logger, onJobFailure: OnJobFailure = () => {}): BuildQueue {
  const running = new Map<string, Promise<unknown>>();
  const followUps = new Map<string, BuildRequest>();
  let closed = false;

  function run(request: BuildRequest): void {
    const started = build(request)
      .catch((error: unknown) => {
        onJobFailure();
        logger.error({ err: error, clusterId: request.clusterId }, 'bundle build failed');
      })
      .finally(() => {
        running.delete(request.clusterId);
        const next = followUps.get(request.clusterId);
        followUps.delete(request.clusterId);
        if (next && !closed) run(next);
      });
    running.set(request.clusterId, started);
  }

  return {
    async enqueue(request) {
      if (closed) throw new Error('the build queue is closed');
      if (running.has(request.clusterId)) {
        const pending = followUps.get(request.clusterId);
        followUps.set(request.clusterId, { ...request, reissue: Boolean(request.reissue || pending?.reissue) });
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
