// Long-polling agents wait here for their cluster's next bundle. The builder announces a new bundle
// with NOTIFY palisade_bundle '<clusterId>'; every API instance listens and wakes its waiters, so a
// waiting agent hears of a bundle within one notification round trip, whichever instance built it.
import { BUNDLE_CHANNEL, type Database } from '../../db/index.ts';

/** If a notification is ever lost (listener reconnecting), a waiter re-checks at least this often. */
const RECHECK_MS = 2_000;

export interface BundleWaiters {
  /** Resolves when a bundle for the cluster may have appeared, or after `timeoutMs`, or on abort. */
  wait(clusterId: string, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** True once closing: waits end at once, so long-polls answer 304 and shutdown is not held up. */
  readonly closed: boolean;
  /** Idempotent: the server stops waits before it closes, and the composition again at the end. */
  close(): Promise<void>;
}

export async function listenForBundles(database: Database): Promise<BundleWaiters> {
  const waiting = new Map<string, Set<() => void>>();
  const unlisten = await database.listen(BUNDLE_CHANNEL, (clusterId) => {
    for (const wake of waiting.get(clusterId) ?? []) wake();
  });
  let closed = false;
  return {
    get closed() {
      return closed;
    },
    wait(clusterId, timeoutMs, signal) {
      if (closed) return Promise.resolve();
      return new Promise((resolve) => {
        const set = waiting.get(clusterId) ?? new Set();
        waiting.set(clusterId, set);
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          set.delete(done);
          if (set.size === 0) waiting.delete(clusterId);
          resolve();
        };
        const timer = setTimeout(done, Math.min(timeoutMs, RECHECK_MS));
        signal?.addEventListener('abort', done);
        set.add(done);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const set of waiting.values()) for (const wake of set) wake();
      await unlisten();
    },
  };
}
