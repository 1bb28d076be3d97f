// Builds a queue may have lost: a Redis that restarts without persistence forgets the jobs it held, and
// a process that dies takes its in-process queue along, after the relay already stamped those outbox
// rows. The outbox and the bundles tell which clusters were relayed after their newest bundle began (a
// relay stamp follows the change's commit, so a build that began later read it); asking again
// is harmless, since a build with nothing new issues no revision and BullMQ ignores a job id it holds.
import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../db/index.ts';
import type { BuildQueue } from '../queue/build-queue.ts';

/** Queues a build for every live cluster relayed after its newest bundle began; returns how many. */
export async function requestMissedBuilds(db: Db, queue: BuildQueue): Promise<number> {
  const missed = rowsOf<{ tenant_id: string; cluster_id: string; outbox_id: string | number }>(
    await db.execute(sql`
      select o.tenant_id, o.cluster_id, o.outbox_id from (
        select tenant_id, cluster_id, max(id) as outbox_id, max(relayed_at) as relayed_at
        from outbox where relayed_at is not null group by tenant_id, cluster_id) o
      join clusters c on c.id = o.cluster_id and c.deleted_at is null
      where o.relayed_at >= coalesce((select max(b.created_at) from bundles b where b.cluster_id = o.cluster_id), '-infinity')`),
  );
  for (const row of missed) await queue.enqueue({ tenantId: row.tenant_id, clusterId: row.cluster_id, outboxId: Number(row.outbox_id) });
  return missed.length;
}
