// Bundles expire (so a frozen control plane cannot keep an agent on old policy forever); before that
// happens, and whenever the active signing key changed, the cluster gets a fresh signature on the same
// policy. Runs as the owner across tenants: it only reads bundle metadata and queues builds.
import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../db/index.ts';
import type { BuildQueue } from '../queue/build-queue.ts';

export async function requestReissues(db: Db, queue: BuildQueue, options: { activeKeyId: string; renewBeforeMs: number }): Promise<number> {
  const due = rowsOf<{ tenant_id: string; cluster_id: string }>(
    await db.execute(sql`
      select b.tenant_id, b.cluster_id from (
        select distinct on (cluster_id) tenant_id, cluster_id, expires_at, key_id
        from bundles order by cluster_id, revision desc) b
      join clusters c on c.id = b.cluster_id and c.deleted_at is null
      where b.expires_at < now() + ${`${options.renewBeforeMs} milliseconds`}::interval or b.key_id <> ${options.activeKeyId}`),
  );
  for (const row of due) await queue.enqueue({ tenantId: row.tenant_id, clusterId: row.cluster_id, reissue: true });
  return due.length;
}
