// Statements built once. drizzle builds a query's text from its parts on every call (walking the
// parts, checking each one's class, mapping every value): on a policy write that was about a fifth of
// the API's CPU, for statements whose text never changes, only their values. A statement here is built
// by drizzle once per driver, with placeholders for its values, and each call fills in the values and
// runs it on the caller's transaction, through drizzle's own execution and row mapping, so it answers
// exactly as the query built per call would.
//
// Two things drizzle keeps to itself are relied on, both checked where they are used: a transaction's
// session holds its driver client as `client` (postgres.js's TransactionSql, PGlite's transaction), and
// a prepared query runs on its own `client` with its `params` and `prepare` flag. A transaction
// whose client cannot be had (one not opened by transaction.ts) runs the statement built per call.
//
// A value is encoded as drizzle encodes it when building: SQL NULL for null (drizzle's placeholders
// would send a null jsonb value as the JSON text `null`), the column's own encoding otherwise.
import { is, Param, Placeholder, type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Tx } from './client.ts';
import { driverClientOf } from './transaction.ts';

/**
 * What a statement's builder writes in place of each value: drizzle placeholders, typed as the values
 * they stand for so the builder reads as any query does.
 */
export type Placeholders<Values> = Values;

interface Runnable<Result> {
  execute(): Promise<Result>;
}

interface PreparableQuery<Result> {
  prepare(name: string): Runnable<Result>;
}

/** drizzle's prepared query as it runs: the fields this file sets on a copy of it. */
interface PreparedInternals {
  client: unknown;
  params: unknown[];
  prepare: boolean;
}

/** A built parameter: a value fixed in the statement, or the name of the value a call gives. */
type BuiltParam = { fixed: unknown } | { name: string; encode: ((value: unknown) => unknown) | undefined };

interface Built<Result> {
  prepared: Runnable<Result> & PreparedInternals;
  params: BuiltParam[];
}

function builtParams(params: readonly unknown[]): BuiltParam[] {
  return params.map((param) => {
    if (is(param, Placeholder)) return { name: param.name, encode: undefined };
    if (is(param, Param) && is(param.value, Placeholder)) {
      const { encoder } = param;
      return { name: param.value.name, encode: encoder ? (value: unknown) => encoder.mapToDriverValue(value) : undefined };
    }
    return { fixed: param };
  });
}

const dialect = new PgDialect();

/** A statement written in SQL, for `statement`'s builder: it answers as tx.execute() would. */
export function sqlStatement(tx: Tx, query: SQL): PreparableQuery<unknown> {
  return { prepare: (name) => tx._.session.prepareQuery(dialect.sqlToQuery(query), undefined, name, false) };
}

/**
 * A statement with named values: `build` writes it with drizzle, each value as `values.<name>` (a
 * placeholder: name each one, as an insert's columns too, since the placeholders cannot be listed),
 * and is called once per driver; each call runs it in `tx` with `values`.
 */
export function statement<Values extends Record<string, unknown>, Result>(
  name: string,
  build: (tx: Tx, values: Placeholders<Values>) => PreparableQuery<Result>,
): (tx: Tx, values: Values) => Promise<Result> {
  // Names only: a symbol asked of it (by inspection, or a check for a then()) is no value's placeholder.
  const placeholders = new Proxy(
    {},
    { get: (_, key) => (typeof key === 'string' && key !== 'then' ? sql.placeholder(key) : undefined) },
  ) as Placeholders<Values>;
  /** Per driver (session class): its prepared query differs. */
  const builtFor = new Map<unknown, Built<Result>>();
  return (tx, values) => {
    const client = driverClientOf(tx);
    if (client === undefined) return build(tx, values).prepare(name).execute();
    const driver = tx._.session.constructor;
    let built = builtFor.get(driver);
    if (!built) {
      const prepared = build(tx, placeholders).prepare(name) as Built<Result>['prepared'];
      if (!Array.isArray(prepared.params) || !('client' in prepared))
        throw new Error(`drizzle's prepared query no longer has the fields statement ${name} runs it with`);
      built = { prepared, params: builtParams(prepared.params) };
      builtFor.set(driver, built);
    }
    const params = built.params.map((param) => {
      if ('fixed' in param) return param.fixed;
      const value = values[param.name];
      if (value === undefined) throw new Error(`statement ${name} was given no value for ${param.name}`);
      return value === null || !param.encode ? value : param.encode(value);
    });
    // Named prepared statements are the client's choice (prepared-statements.ts), as for every query.
    const run = Object.create(built.prepared, { client: { value: client }, params: { value: params }, prepare: { value: false } }) as Runnable<Result>;
    return run.execute();
  };
}
