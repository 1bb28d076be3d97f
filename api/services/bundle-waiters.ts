// Long-polling agents park here for their cluster's next bundle. The builder announces a new bundle
// with NOTIFY palisade_bundle '<clusterId>'; every API instance listens, reads the cluster's latest
// bundle once, and hands that one row to every parked agent of the cluster that holds an older
// revision. Waiters never query on their own: a cluster with waiters costs one read per notification
// (notifications that arrive during a read are folded into one more read) plus one cheap revision
// check every RECHECK_MS, which covers a notification lost while the listener reconnects.
import { desc, eq } from 'drizzle-orm';
import { BUNDLE_CHANNEL, type Database, type Db, type Tx, withTenant } from '../../db/index.ts';
import { bundles } from '../../db/schema/index.ts';

export type BundleRow = typeof bundles.$inferSelect;

/** How often a cluster with parked agents checks for a revision its notification may have missed. */
const RECHECK_MS = 5_000;

interface ParkedAgent {
  tenantId: string;
  clusterId: string;
  /** The revision the agent holds: only a higher one wakes it. */
  knownRevision: number;
}

export interface BundleWaiters {
  /**
   * Parks an agent: `bundle` is the cluster's newest bundle once one newer than `knownRevision` is
   * announced; undefined after `timeoutMs`, on abort, on `cancel` or on close.
   */
  park(agent: ParkedAgent, timeoutMs: number, signal: AbortSignal): Parked;
  /** True once closing: waits end at once, so long-polls answer 304 and shutdown is not held up. */
  readonly closed: boolean;
  /** How many agents are parked now, over all clusters. */
  readonly parked: number;
  /** Idempotent: the server stops waits before it closes, and the composition again at the end. */
  close(): Promise<void>;
}

export interface Parked {
  bundle: Promise<BundleRow | undefined>;
  /** Unparks at once (the agent was answered without waiting). */
  cancel(): void;
}

interface Waiter {
  knownRevision: number;
  settle(bundle: BundleRow | undefined): void;
}

/** The parked agents of one cluster and its one shared reader. */
interface ClusterWatch {
  tenantId: string;
  waiters: Set<Waiter>;
  recheck: NodeJS.Timeout;
  reading: boolean;
  /** A notification came during a read: read once more when it ends. */
  readAgain: boolean;
}

export async function listenForBundles(database: Database, onError: (error: unknown) => void): Promise<BundleWaiters> {
  const watches = new Map<string, ClusterWatch>();
  let closed = false;

  function handOut(watch: ClusterWatch, bundle: BundleRow | undefined) {
    if (!bundle) return;
    for (const waiter of watch.waiters) if (bundle.revision > waiter.knownRevision) waiter.settle(bundle);
  }

  async function read(clusterId: string, watch: ClusterWatch, revisionFirst: boolean) {
    if (watch.reading) {
      watch.readAgain = true;
      return;
    }
    watch.reading = true;
    try {
      do {
        watch.readAgain = false;
        let oldest = Number.POSITIVE_INFINITY;
        for (const waiter of watch.waiters) oldest = Math.min(oldest, waiter.knownRevision);
        // The periodic check reads the revision alone; the row (with its signed document) only when it is news.
        if (revisionFirst && (await latestRevision(database.db, watch.tenantId, clusterId)) <= oldest) continue;
        handOut(watch, await withTenant(database.db, watch.tenantId, (tx) => latestBundle(tx, clusterId)));
      } while (watch.readAgain && watch.waiters.size > 0);
    } catch (error) {
      // The waiters stay parked: the next notification or recheck reads again, and a timeout answers 304.
      onError(error);
    } finally {
      watch.reading = false;
    }
  }

  const unlisten = await database.listen(BUNDLE_CHANNEL, (clusterId) => {
    const watch = watches.get(clusterId);
    if (watch) void read(clusterId, watch, false);
  });

  function watchOf(agent: ParkedAgent): ClusterWatch {
    const existing = watches.get(agent.clusterId);
    if (existing) return existing;
    const watch: ClusterWatch = {
      tenantId: agent.tenantId,
      waiters: new Set(),
      recheck: setInterval(() => void read(agent.clusterId, watch, true), RECHECK_MS),
      reading: false,
      readAgain: false,
    };
    watch.recheck.unref();
    watches.set(agent.clusterId, watch);
    return watch;
  }

  return {
    get closed() {
      return closed;
    },
    get parked() {
      let count = 0;
      for (const watch of watches.values()) count += watch.waiters.size;
      return count;
    },
    park(agent, timeoutMs, signal) {
      if (closed || signal.aborted) return { bundle: Promise.resolve(undefined), cancel: () => {} };
      let waiter: Waiter | undefined;
      const bundle = new Promise<BundleRow | undefined>((resolve) => {
        const watch = watchOf(agent);
        const parked: Waiter = {
          knownRevision: agent.knownRevision,
          settle(row) {
            clearTimeout(timer);
            signal.removeEventListener('abort', onAbort);
            watch.waiters.delete(parked);
            if (watch.waiters.size === 0 && watches.get(agent.clusterId) === watch) {
              clearInterval(watch.recheck);
              watches.delete(agent.clusterId);
            }
            resolve(row);
          },
        };
        const onAbort = () => parked.settle(undefined);
        const timer = setTimeout(onAbort, timeoutMs);
        signal.addEventListener('abort', onAbort);
        watch.waiters.add(parked);
        waiter = parked;
      });
      return { bundle, cancel: () => waiter?.settle(undefined) };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const watch of [...watches.values()]) for (const waiter of [...watch.waiters]) waiter.settle(undefined);
      await unlisten();
    },
  };
}

/** The cluster's newest bundle, in a transaction of the cluster's tenant. */
export async function latestBundle(tx: Tx, clusterId: string): Promise<BundleRow | undefined> {
  const [latest] = await tx.select().from(bundles).where(eq(bundles.clusterId, clusterId)).orderBy(desc(bundles.revision)).limit(1);
  return latest;
}

async function latestRevision(db: Db, tenantId: string, clusterId: string): Promise<number> {
  const [latest] = await withTenant(db, tenantId, (tx) =>
    tx.select({ revision: bundles.revision }).from(bundles).where(eq(bundles.clusterId, clusterId)).orderBy(desc(bundles.revision)).limit(1),
  );
  return latest?.revision ?? 0;
}
