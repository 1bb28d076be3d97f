// The cluster every cluster-owned request is scoped to: a live cluster of the caller's tenant, or 404,
// and pages of the tables that hang off it.
import { and, eq, getTableColumns, getTableName, gt, isNull, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import { sqlLiteral, statement, type TableRows, type Tx, tableRows } from '../../db/index.ts';
import { clusters } from '../../db/schema/index.ts';
import { notFound } from '../errors/api-error.ts';
import { requireId } from '../http/ids.ts';
import type { PageRequest } from '../http/pagination.ts';
import { readAsTenant, type TenantContext } from './context.ts';

const liveCluster = (id: string) => and(eq(clusters.id, id), isNull(clusters.deletedAt));

const readCluster = statement('find-cluster', (tx, values: { id: string }) => tx.select().from(clusters).where(liveCluster(values.id)));
const lockCluster = statement('lock-cluster', (tx, values: { id: string }) => tx.select().from(clusters).where(liveCluster(values.id)).for('update'));

/** A live cluster of the transaction's tenant (RLS hides the others), or 404. */
export async function findCluster(tx: Tx, id: string, options: { lock?: boolean } = {}) {
  const values = { id: requireId(id, 'cluster') };
  const [row] = options.lock ? await lockCluster(tx, values) : await readCluster(tx, values);
  if (!row) throw notFound('cluster');
  return row;
}

type ClusterOwned = PgTable & { id: AnyPgColumn; clusterId: AnyPgColumn };

/** What the page statement names the answer to "is the cluster there": no cluster-owned table has such a column. */
const FOUND = 'cluster_found';

interface PageShape<Table extends ClusterOwned> {
  rows: TableRows<Table>;
  from: SQL;
}

// Built once per table: the select list and the table's name do not change between pages.
const pageShapes = new WeakMap<ClusterOwned, PageShape<ClusterOwned>>();

function pageShape<Table extends ClusterOwned>(table: Table): PageShape<Table> {
  let shape = pageShapes.get(table);
  if (!shape) {
    const rows = tableRows(table);
    if (Object.values(getTableColumns(table)).some((column) => column.name === FOUND)) throw new Error(`${getTableName(table)} has a column named ${FOUND}`);
    shape = { rows, from: sql`select ${rows.columns} from ${sql.identifier(getTableName(table))}` };
    pageShapes.set(table, shape);
  }
  return shape as unknown as PageShape<Table>;
}

/**
 * One page of a cluster-owned table (bundles, policies, agent tokens, flow logs), in id order, after the cursor,
 * with the caller's conditions, read as a tenant read (db/tenant-read.ts): one statement, one round
 * trip. The statement answers whether the cluster is a live one of the tenant's as well as the page,
 * so another tenant's cluster, or a deleted one, is a 404 rather than an empty page. `conditions`
 * carry their values as literals (sqlLiteral): a parameter is refused.
 */
export async function readClusterPage<Table extends ClusterOwned>(
  ctx: TenantContext,
  clusterId: string,
  table: Table,
  request: PageRequest,
  ...conditions: (SQL | undefined)[]
): Promise<Table['$inferSelect'][]> {
  const id = sqlLiteral(requireId(clusterId, 'cluster'));
  const shape = pageShape(table);
  const where = and(sql.raw(`c.${FOUND}`), eq(table.clusterId, id), request.cursor ? gt(table.id, sqlLiteral(request.cursor)) : undefined, ...conditions);
  // The cluster's answer is one row, joined to each of the page's rows; with no page rows it is still
  // there, its page columns null, so "no such cluster" and "an empty page" stay apart in one statement.
  const found = sql`select exists(select from clusters where id = ${id} and deleted_at is null) as ${sql.raw(FOUND)}`;
  const page = sql`${shape.from} where ${where} order by id limit ${sqlLiteral(request.limit + 1)}`;
  const raw = await readAsTenant(ctx, sql`select c.${sql.raw(FOUND)}, p.* from (${found}) c left join lateral (${page}) p on true order by p.id`);
  if (raw[0]?.[FOUND] !== true) throw notFound('cluster');
  // A row without an id is the cluster's answer alone: not a row of the page.
  return shape.rows.rows(raw.filter((row) => row.id !== null));
}
