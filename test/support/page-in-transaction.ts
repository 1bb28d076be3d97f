// What a cluster-owned page was before it was a tenant read (api/services/cluster-scope.ts
// readClusterPage): the cluster found, then the page with drizzle's conditions (parameters), in the
// tenant's transaction. Tests compare the tenant read's answers with this one's.
import { and, eq, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import { afterCursor, type PageRequest } from '../../api/http/pagination.ts';
import { findCluster } from '../../api/services/cluster-scope.ts';
import type { Tx } from '../../db/index.ts';

type ClusterOwned = PgTable & { id: AnyPgColumn; clusterId: AnyPgColumn };

export async function pageInClusterTransaction<Table extends ClusterOwned>(
  tx: Tx,
  clusterId: string,
  table: Table,
  request: PageRequest,
  ...conditions: (SQL | undefined)[]
): Promise<Table['$inferSelect'][]> {
  const cluster = await findCluster(tx, clusterId);
  const rows = await tx
    .select()
    .from(table as PgTable)
    .where(and(eq(table.clusterId, cluster.id), afterCursor(table.id, request), ...conditions))
    .orderBy(table.id)
    .limit(request.limit + 1);
  return rows as Table['$inferSelect'][];
}
