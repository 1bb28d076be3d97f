// A table's rows read by a statement written by hand (a tenant read, tenant-read.ts) in the shape
// drizzle's select() gives them: the schema's property names, each value through its column's
// mapFromDriverValue (a timestamp's text to a Date, say), null kept as null, as drizzle maps its own.
// The select list is written once per table, not rebuilt per query: building a select with drizzle's
// query builder cost about a sixth of the API's CPU on a read (a CPU profile of the read bench).
import { getTableColumns, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/** Names that need no quoting rules beyond plain double quotes: every column of our schema. */
const PLAIN_NAME = /^[a-z_][a-z0-9_]*$/;

export interface TableRows<T extends PgTable> {
  /** Every column, as `select <columns> from ...` names them. */
  columns: SQL;
  /** The same as text, for a statement written as text (tenant-read.ts). */
  columnList: string;
  rows(raw: readonly Record<string, unknown>[]): T['$inferSelect'][];
}

export function tableRows<T extends PgTable>(table: T): TableRows<T> {
  const columns = Object.entries(getTableColumns(table));
  for (const [, column] of columns) {
    if (!PLAIN_NAME.test(column.name)) throw new Error(`column ${column.name} needs quoting rules tableRows does not have`);
  }
  const row = (raw: Record<string, unknown>) => {
    const mapped: Record<string, unknown> = {};
    for (const [property, column] of columns) {
      const value = raw[column.name];
      mapped[property] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return mapped as T['$inferSelect'];
  };
  const columnList = columns.map(([, column]) => `"${column.name}"`).join(', ');
  return {
    columns: sql.raw(columnList),
    columnList,
    rows: (raw) => raw.map(row),
  };
}
