// The cluster every cluster-owned request is scoped to: a live cluster of the caller's tenant, or 404,
// and pages of the tables that hang off it.
import { and, eq, isNull, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from '../../db/index.ts';
import { clusters } from '../../db/schema/index.ts';
import { notFound } from '../errors/api-error.ts';
import { requireId } from '../http/ids.ts';
import { afterCursor, type PageRequest } from '../http/pagination.ts';

const liveCluster = (id: string) => and(eq(clusters.id, id), isNull(clusters.deletedAt));

/** A live cluster of the transaction's tenant (RLS hides the others), or 404. */
export async function findCluster(tx: Tx, id: string, options: { lock?: boolean } = {}) {
  const query = tx
    .select()
    .from(clusters)
    .where(liveCluster(requireId(id, 'cluster')));
  const [row] = options.lock ? await query.for('update') : await query;
  if (!row) throw notFound('cluster');
  return row;
}

/**
 * One page of a cluster-owned table (bundles, policies, agent tokens, flow logs), in id order, after
 * the cursor, with the caller's filters: the cluster is checked first, so another tenant's cluster
 * is a 404 rather than an empty page.
 */
export async function pageInCluster<Table extends PgTable & { id: AnyPgColumn; clusterId: AnyPgColumn }>(
  tx: Tx,
  clusterId: string,
  table: Table,
  request: PageRequest,
  ...filters: (SQL | undefined)[]
): Promise<Table['$inferSelect'][]> {
  const cluster = await findCluster(tx, clusterId);
  const rows = await tx
    .select()
    .from(table as PgTable)
    .where(and(eq(table.clusterId, cluster.id), afterCursor(table.id, request), ...filters))
    .orderBy(table.id)
    .limit(request.limit + 1);
  return rows as Table['$inferSelect'][];
}
