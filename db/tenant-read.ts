// A tenant's read of one statement in one round trip to Postgres.
//
// withTenant's transaction costs a read three round trips: BEGIN, then the settings with the select,
// then COMMIT. Each is a socket write and a wakeup on both sides, and together with postgres.js's work
// for each they were most of the API's CPU on a read. Postgres runs a simple-protocol Query message
// that holds several statements as one implicit transaction ("Multiple Statements in a Simple Query",
// in the Frontend/Backend Protocol chapter of its docs): settings made with set_config(..., true) hold
// for the statements after them in the message and end with it; should a statement fail, the ones
// after it are skipped and the transaction is rolled back. So `<settings>; <select>` in one message
// runs the select as the application role with the tenant set, or not at all, and leaves the
// connection as it found it. It needs no connection of its own either: the pool sends it like any
// query, behind other requests' queries.
//
// The price: a simple-protocol statement has no parameters, so its values are written into it as
// literals (sql-literal.ts; `statement` must hold no parameter, and one is refused rather than sent),
// and the server parses and plans it each time instead of reusing a prepared plan.
//
// PGlite runs in this process: there is no round trip to save, and it runs the same statement in
// withTenant's transaction.

import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Db } from './client.ts';
import { rowsOf } from './migrate.ts';
import { tenantSettingsText, withTenant } from './tenant-transaction.ts';

const dialect = new PgDialect();

/** A statement for readInTenant that holds a parameter: a value was not written through sqlLiteral. */
class ParameterInTenantRead extends Error {
  readonly code = 'PARAMETER_IN_TENANT_READ';
}

/** A statement for readInTenant that is several statements: a bug in the statement written. */
class NotOneStatement extends Error {
  readonly code = 'NOT_ONE_STATEMENT';
}

function parameterlessText(statement: SQL): string {
  const query = dialect.sqlToQuery(statement);
  if (query.params.length > 0)
    throw new ParameterInTenantRead(`a tenant read carries its values as literals (sqlLiteral), not ${query.params.length} parameter(s)`);
  return query.sql;
}

/** What readInTenant needs of postgres.js: a parameterless unsafe() goes out over the simple protocol. */
interface SimpleProtocolClient {
  unsafe(text: string): PromiseLike<unknown>;
}

function postgresClientOf(db: Db): SimpleProtocolClient | undefined {
  const client = (db as unknown as { $client?: { unsafe?: unknown; begin?: unknown } }).$client;
  return typeof client?.unsafe === 'function' && typeof client.begin === 'function' ? (client as SimpleProtocolClient) : undefined;
}

/**
 * The rows `statement` reads as `tenantId` (row-level security applies), in one round trip on Postgres.
 * `statement` is drizzle SQL, or its text already written (values through sqlLiteralText), which
 * spares a read that runs on every request drizzle's building of the text each time.
 */
export async function readInTenant(db: Db, tenantId: string, statement: SQL | string): Promise<Record<string, unknown>[]> {
  const text = typeof statement === 'string' ? statement : parameterlessText(statement);
  const settings = tenantSettingsText(tenantId);
  const client = postgresClientOf(db);
  if (!client) return withTenant(db, tenantId, async (tx) => rowsOf<Record<string, unknown>>(await tx.execute(sql.raw(text))));
  // postgres.js answers a message of several statements with one result per statement, in order.
  const results = (await client.unsafe(`${settings}; ${text}`)) as Record<string, unknown>[][];
  if (results.length !== 2) throw new NotOneStatement(`a tenant read runs one statement, not ${results.length - 1}`);
  return results[1]!;
}
