// Onboardings a queue may have lost: a process that dies mid-onboarding takes its in-process queue
// along (and a Redis without persistence forgets its jobs) after the relay stamped the outbox row.
// The cluster's status tells: one still pending or onboarding has no outcome yet, so it is asked for
// again; re-running is harmless, since onboarding only reads AWS and records what it found.
import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../db/index.ts';
import type { BuildQueue } from '../queue/build-queue.ts';

/** Queues an onboarding for every live EKS cluster with a role whose onboarding has no outcome; returns how many. */
export async function requestUnfinishedOnboardings(db: Db, queue: BuildQueue): Promise<number> {
  const unfinished = rowsOf<{ tenant_id: string; id: string }>(
    await db.execute(sql`select tenant_id, id from clusters
      where deleted_at is null and aws is not null and status in ('pending', 'onboarding')`),
  );
  for (const row of unfinished) await queue.enqueue({ kind: 'eks-onboarding', tenantId: row.tenant_id, clusterId: row.id });
  return unfinished.length;
}
