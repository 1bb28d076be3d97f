// Long-polling agents park here for their cluster's next bundle. The builder announces a new bundle
// with NOTIFY palisade_bundle '<clusterId>'; every API instance listens, reads the cluster's latest
// bundle once, and hands that one row to every parked agent of the cluster that holds an older
// revision. Waiters never query on their own: a cluster with waiters costs one read per notification
// (notifications that arrive during a read are folded into one more read) plus one cheap revision
// check every RECHECK_MS, which covers a notification lost while the listener reconnects.
//
// The watched cluster's newest row is kept, so an arriving long-poll checks its revision against it
// with no query of its own (10,000 agents arriving cost one shared read, not 10,000 transactions).
// A kept row can only lag: a newer revision still reaches the parked agent by its notification. The
// watch outlives its last waiter by LINGER_MS, so the agents just answered find it when they return.
import { desc, eq } from 'drizzle-orm';
import { BUNDLE_CHANNEL, type Database, type Db, type Tx, withTenant } from '../../db/index.ts';
import { bundles } from '../../db/schema/index.ts';

export type BundleRow = typeof bundles.$inferSelect;

/**
 * Parked agents answered per turn of the event loop when a revision wakes them: small enough that a
 * turn stays in the tens of milliseconds on a loaded core, large enough that 10,000 agents are
 * answered in a few dozen turns.
 */
const WAKE_BATCH = 256;
/** How often a cluster with parked agents checks for a revision its notification may have missed. */
const RECHECK_MS = 5_000;
/**
 * How long a cluster stays watched after its last waiter left: an agent answered (woken, or 304 at
 * the end of its wait) polls again at once, and one whose poll failed retries after 1 s at first
 * (agent/bundle/client.ts DEFAULT_ERROR_BACKOFF); a returning fleet then finds the kept row.
 */
const LINGER_MS = 30_000;

interface ParkedAgent {
  tenantId: string;
  clusterId: string;
  /** The revision the agent holds: only a higher one wakes it. */
  knownRevision: number;
}

export interface BundleWaiters {
  /**
   * Parks an agent: `bundle` is the cluster's newest bundle once one newer than `knownRevision` is
   * announced; undefined after `timeoutMs`, on abort, on `cancel` or on close. Undefined when closing
   * or already aborted.
   */
  park(agent: ParkedAgent, timeoutMs: number, signal: AbortSignal): Parked | undefined;
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
  /**
   * The cluster's newest bundle as the watch knows it: the kept row, or one read shared by every
   * agent that arrives while it runs. Rejects when that read fails.
   */
  latest(): Promise<BundleRow | undefined>;
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
  /** Ends the watch LINGER_MS after its last waiter left; unset while it has waiters. */
  linger: NodeJS.Timeout | undefined;
  /** The read running now, which later callers join. */
  reading: Promise<void> | undefined;
  /** A notification came during a read: read once more when it ends. */
  readAgain: boolean;
  /** The cluster's newest row as last read; undefined when no read since the last notification. */
  kept: { row: BundleRow | undefined } | undefined;
}

export async function listenForBundles(database: Database, onError: (error: unknown) => void): Promise<BundleWaiters> {
  const watches = new Map<string, ClusterWatch>();
  let closed = false;

  function handOut(watch: ClusterWatch, bundle: BundleRow | undefined) {
    if (!bundle) return;
    const due: Waiter[] = [];
    for (const waiter of watch.waiters) if (bundle.revision > waiter.knownRevision) due.push(waiter);
    answerInTurns(due, bundle, 0);
  }

  /**
   * WAKE_BATCH waiters per turn of the event loop: each batch's answers are written before the next
   * batch is settled, and other requests (other tenants') run between batches instead of behind all
   * of them. A waiter gone meanwhile (timed out, aborted, answered by a newer revision) is skipped:
   * settle is once only.
   */
  function answerInTurns(due: readonly Waiter[], bundle: BundleRow, from: number) {
    const until = Math.min(due.length, from + WAKE_BATCH);
    for (let index = from; index < until; index++) due[index]!.settle(bundle);
    if (until < due.length) setImmediate(() => answerInTurns(due, bundle, until));
  }

  /**
   * Reads the cluster's newest row into the watch. `news` (a notification or the periodic check) asks
   * for another read after one in flight, which may have started before the news; an arriving agent
   * only wants the read in flight. Were arrivals to ask too, a read ending with no waiter left would
   * forget its row for them, and arrivals joining each other's reads would spin forever.
   */
  function read(clusterId: string, watch: ClusterWatch, revisionFirst: boolean, news: boolean): Promise<void> {
    if (watch.reading) {
      if (news) watch.readAgain = true;
      return watch.reading;
    }
    const reading = (async () => {
      try {
        do {
          watch.readAgain = false;
          // The periodic check reads the revision alone; the row (with its signed document) only when it is news.
          if (revisionFirst && watch.kept && (await latestRevision(database.db, watch.tenantId, clusterId)) <= (watch.kept.row?.revision ?? 0)) continue;
          const row = await withTenant(database.db, watch.tenantId, (tx) => latestBundle(tx, clusterId));
          watch.kept = { row };
          handOut(watch, row);
        } while (watch.readAgain && watch.waiters.size > 0);
        // A notification with no waiter left to read for: the next arrival reads afresh.
        if (watch.readAgain) watch.kept = undefined;
      } catch (error) {
        // The waiters stay parked: the next notification or recheck reads again, and a timeout answers 304.
        watch.kept = undefined;
        throw error;
      } finally {
        watch.reading = undefined;
      }
    })();
    watch.reading = reading;
    return reading;
  }

  function refresh(clusterId: string, watch: ClusterWatch, revisionFirst: boolean) {
    if (!revisionFirst && watch.waiters.size === 0 && !watch.reading) watch.kept = undefined;
    else read(clusterId, watch, revisionFirst, true).catch(onError);
  }

  const unlisten = await database.listen(BUNDLE_CHANNEL, (clusterId) => {
    const watch = watches.get(clusterId);
    if (watch) refresh(clusterId, watch, false);
  });

  function unwatch(clusterId: string, watch: ClusterWatch) {
    clearInterval(watch.recheck);
    clearTimeout(watch.linger);
    if (watches.get(clusterId) === watch) watches.delete(clusterId);
  }

  function watchOf(agent: ParkedAgent): ClusterWatch {
    const existing = watches.get(agent.clusterId);
    if (existing) return existing;
    const watch: ClusterWatch = {
      tenantId: agent.tenantId,
      waiters: new Set(),
      recheck: setInterval(() => refresh(agent.clusterId, watch, true), RECHECK_MS),
      linger: undefined,
      reading: undefined,
      readAgain: false,
      kept: undefined,
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
      if (closed || signal.aborted) return undefined;
      let waiter: Waiter | undefined;
      const watch = watchOf(agent);
      const bundle = new Promise<BundleRow | undefined>((resolve) => {
        let settled = false;
        const parked: Waiter = {
          knownRevision: agent.knownRevision,
          settle(row) {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            signal.removeEventListener('abort', onAbort);
            watch.waiters.delete(parked);
            if (watch.waiters.size === 0 && !closed) {
              clearTimeout(watch.linger);
              watch.linger = setTimeout(() => unwatch(agent.clusterId, watch), LINGER_MS);
              watch.linger.unref();
            }
            resolve(row);
          },
        };
        const onAbort = () => parked.settle(undefined);
        const timer = setTimeout(onAbort, timeoutMs);
        signal.addEventListener('abort', onAbort);
        clearTimeout(watch.linger);
        watch.linger = undefined;
        watch.waiters.add(parked);
        waiter = parked;
      });
      return {
        bundle,
        cancel: () => waiter?.settle(undefined),
        async latest() {
          while (!watch.kept) await read(agent.clusterId, watch, false, false);
          return watch.kept.row;
        },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const [clusterId, watch] of [...watches]) {
        for (const waiter of [...watch.waiters]) waiter.settle(undefined);
        unwatch(clusterId, watch);
      }
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
