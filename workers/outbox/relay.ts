// Moves outbox rows into the build queue. Runs as the database owner (it serves every tenant), wakes
// on NOTIFY palisade_outbox and also polls, so a missed notification only delays a build by one tick;
// builds the queue may have lost after rows were stamped are asked for again (missed-builds.ts).
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { OFFBOARD_EKS_TOPIC, ONBOARD_EKS_TOPIC } from '../../api/services/outbox.ts';
import { type Database, OUTBOX_CHANNEL, rowsOf, transaction } from '../../db/index.ts';
import type { BuildQueue } from '../queue/build-queue.ts';
import { requestMissedBuilds } from './missed-builds.ts';
import { requestUnfinishedOnboardings } from './unfinished-onboardings.ts';

const BATCH = 500;

export interface RelayOptions {
  pollMs: number;
}

export interface Relay {
  /** One pass: returns how many outbox rows it relayed. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

export async function startRelay(database: Database, queue: BuildQueue, logger: Logger, options: RelayOptions): Promise<Relay> {
  let draining: Promise<number> | undefined;
  let again = false;

  async function relayBatch(): Promise<number> {
    return transaction(database.db, async (tx) => {
      // SKIP LOCKED: relays in several processes share the rows instead of queueing behind each other.
      // The rows are stamped as they are taken, in one round trip: the stamp commits only once every
      // job below is queued, and a failure to queue one rolls it back, as when it was written after.
      const rows = rowsOf<{ id: string | number; tenant_id: string; cluster_id: string; topic: string }>(
        await tx.execute(sql`update outbox set relayed_at = now() where id in (select id from outbox where relayed_at is null
          order by id limit ${BATCH} for update skip locked) returning id, tenant_id, cluster_id, topic`),
      );
      if (rows.length === 0) return 0;
      // update ... returning keeps no order: the newest row of a cluster is the one it is asked for.
      rows.sort((a, b) => Number(a.id) - Number(b.id));
      const newestPerCluster = new Map<string, { tenantId: string; clusterId: string; outboxId: number }>();
      for (const row of rows) {
        if (row.topic === ONBOARD_EKS_TOPIC) {
          await queue.enqueue({ kind: 'eks-onboarding', tenantId: row.tenant_id, clusterId: row.cluster_id, outboxId: Number(row.id) });
          continue;
        }
        if (row.topic === OFFBOARD_EKS_TOPIC) {
          await queue.enqueue({ kind: 'eks-offboarding', tenantId: row.tenant_id, clusterId: row.cluster_id, outboxId: Number(row.id) });
          continue;
        }
        newestPerCluster.set(row.cluster_id, { tenantId: row.tenant_id, clusterId: row.cluster_id, outboxId: Number(row.id) });
      }
      for (const request of newestPerCluster.values()) await queue.enqueue(request);
      return rows.length;
    });
  }

  async function drainAll(): Promise<number> {
    let total = 0;
    for (let relayed = await relayBatch(); relayed > 0; relayed = relayed === BATCH ? await relayBatch() : 0) total += relayed;
    return total;
  }

  function drain(): Promise<number> {
    if (draining) {
      again = true;
      return draining;
    }
    draining = drainAll()
      .catch((error: unknown) => {
        logger.error({ err: error }, 'outbox relay pass failed; retrying on the next tick');
        return 0;
      })
      .finally(() => {
        draining = undefined;
        if (again) {
          again = false;
          void drain();
        }
      });
    return draining;
  }

  // At start (the previous process may have died with builds queued in memory) and whenever the queue
  // lost its store, the outbox tells which clusters still need a build.
  let askingAgain: Promise<unknown> | undefined;
  const requestMissed = () => {
    askingAgain = Promise.all([requestMissedBuilds(database.db, queue), requestUnfinishedOnboardings(database.db, queue)]).catch((error: unknown) =>
      logger.error({ err: error }, 'asking again for builds the queue may have lost failed; the next restore or start asks again'),
    );
  };
  queue.onStoreRestored(requestMissed);
  requestMissed();
  const unlisten = await database.listen(OUTBOX_CHANNEL, () => void drain());
  const timer = setInterval(() => void drain(), options.pollMs);
  void drain();
  return {
    drain,
    async stop() {
      clearInterval(timer);
      await unlisten();
      await draining;
      await askingAgain;
    },
  };
}
