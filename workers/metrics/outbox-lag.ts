// How far builds trail writes: the age of the oldest outbox row not yet relayed to the build queue.
import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../db/index.ts';

/** Seconds; 0 when nothing waits. */
export async function outboxLagSeconds(db: Db): Promise<number> {
  // As the owner, across tenants, like the relay; the partial index outbox_pending serves it.
  const [row] = rowsOf<{ lag: number | string | null }>(
    await db.execute(sql`select extract(epoch from now() - min(created_at)) as lag from outbox where relayed_at is null`),
  );
  return Math.max(0, Number(row?.lag ?? 0));
}
