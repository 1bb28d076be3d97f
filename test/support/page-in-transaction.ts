// What pages were before they were tenant reads: drizzle's conditions, with parameters, in the
// tenant's transaction. Tests compare the tenant reads' answers (api/services/cluster-scope.ts
// readClusterPage, the people lists) with these.
import { type AnyColumn, and, eq, gt, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { PageRequest } from '../../api/http/pagination.ts';
import { findCluster } from '../../api/services/cluster-scope.ts';
import { type Db, withTenant } from '../../db/index.ts';

/** The page's rows after the cursor, as drizzle's condition (a parameter): ids are UUIDv7, so "after" is "created later". */
export function afterCursor(idColumn: AnyColumn, request: PageRequest): SQL | undefined {
  return request.cursor ? gt(idColumn, request.cursor) : undefined;
}

type ClusterOwned = PgTable & { id: AnyPgColumn; clusterId: AnyPgColumn };

/** The cluster found, then the page, in `tenantId`'s transaction. */
export async function pageInClusterTransaction<Table extends ClusterOwned>(
  db: Db,
  tenantId: string,
  clusterId: string,
  table: Table,
  request: PageRequest,
  ...conditions: (SQL | undefined)[]
): Promise<Table['$inferSelect'][]> {
  const rows = await withTenant(db, tenantId, async (tx) => {
    const cluster = await findCluster(tx, clusterId);
    return tx
      .select()
      .from(table as PgTable)
      .where(and(eq(table.clusterId, cluster.id), afterCursor(table.id, request), ...conditions))
      .orderBy(table.id)
      .limit(request.limit + 1);
  });
  return rows as Table['$inferSelect'][];
}
