// Builds of one cluster, paced by their own cost: after a build of a cluster that took T, the
// cluster's next build starts no sooner than T after it ended. The queue already folds a burst of
// requests into one running build and one waiting (build-queue.ts), but a tenant writing without pause
// to a cluster holding megabytes of policy still had its bundle rebuilt back to back: a core's worth
// of encoding and hashing, and a 3 MB bundle row written to Postgres per build, beside every other
// tenant's requests (issue 10). Paced, the builder spends at most half its time on any one cluster;
// requests arriving during the pause fold into the waiting build, which reads every change when it
// starts, so nothing is lost and a write's bundle comes at most one pause later. A build quicker than
// PACED_FROM_MS is followed by no pause at all: the delay is felt only where the cost is.
import type { BuildProcessor, BuildRequest } from '../queue/build-queue.ts';

/**
 * Builds quicker than this are not paced: a small cluster's build (milliseconds) costs the others
 * nothing worth a delay, and its agents get each change as soon as it is built.
 */
const PACED_FROM_MS = 100;
/** A pause longer than this is cut to it: a change waits at most this long for a build to start. */
const MAX_PAUSE_MS = 10_000;
/** Past this many clusters remembered, those whose pause is over are forgotten. */
const REMEMBERED_CLUSTERS = 1_000;

export interface BuildPacing {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realPacing: BuildPacing = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function paceBuilds(build: BuildProcessor, pacing: BuildPacing = realPacing): BuildProcessor {
  /** When each cluster's next build may start. */
  const nextStart = new Map<string, number>();

  function remember(request: BuildRequest, startedAt: number, endedAt: number) {
    const took = endedAt - startedAt;
    if (took < PACED_FROM_MS) {
      nextStart.delete(request.clusterId);
      return;
    }
    nextStart.set(request.clusterId, endedAt + Math.min(took, MAX_PAUSE_MS));
    if (nextStart.size <= REMEMBERED_CLUSTERS) return;
    for (const [clusterId, at] of nextStart) if (at <= endedAt) nextStart.delete(clusterId);
  }

  return async function pacedBuild(request) {
    const pause = (nextStart.get(request.clusterId) ?? 0) - pacing.now();
    if (pause > 0) await pacing.sleep(pause);
    const startedAt = pacing.now();
    try {
      return await build(request);
    } finally {
      remember(request, startedAt, pacing.now());
    }
  };
}
