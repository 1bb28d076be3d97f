// Onboardings and offboardings a queue may have lost: a process that dies mid-job takes its
// in-process queue along (and a Redis without persistence forgets its jobs) after the relay stamped
// the outbox row. The cluster's status tells: one still pending, onboarding or installing has no
// outcome yet, and one still offboarding is not gone yet, so each is asked for again; re-running is
// harmless, since both jobs are idempotent (AWS calls that find their work done count as done, and
// Kubernetes objects are created or replaced, deleted or found absent).
import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../db/index.ts';
import type { BuildQueue } from '../queue/build-queue.ts';

/** Queues a job for every live EKS cluster with a role whose onboarding or offboarding has no outcome; returns how many. */
export async function requestUnfinishedOnboardings(db: Db, queue: BuildQueue): Promise<number> {
  const unfinished = rowsOf<{ tenant_id: string; id: string; status: string }>(
    await db.execute(sql`select tenant_id, id, status from clusters
      where deleted_at is null and aws is not null and status in ('pending', 'onboarding', 'installing', 'offboarding')`),
  );
  for (const row of unfinished) {
    await queue.enqueue({ kind: row.status === 'offboarding' ? 'eks-offboarding' : 'eks-onboarding', tenantId: row.tenant_id, clusterId: row.id });
  }
  return unfinished.length;
}
