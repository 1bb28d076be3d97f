// Named prepared statements for drizzle's queries on postgres.js, where the database allows them.
//
// drizzle hands postgres.js every query with `prepare: false` unless the query was built with
// .prepare(name) (drizzle-orm/postgres-js/session.js), and postgres.js sends an unprepared query with
// parameters in two round trips: Parse and Describe first, to learn the parameters' types, then Bind
// and Execute once they are back (postgres/src/connection.js, `describeFirst`). A named statement is
// described once per connection; every later run of the same text is Bind and Execute in one round
// trip, pipelined behind the statement before it, and the server skips parsing it again. On the
// control plane's queries that halves the round trips of a write (each of which costs the API a socket
// write and a wakeup of the database's backend).
//
// Only a direct connection (or PgBouncer 1.21+ with max_prepared_statements) keeps a session's
// statements: RDS Proxy pins every client that prepares one, and older transaction-mode poolers lose
// them, so DATABASE_PREPARED_STATEMENTS turns this off (and the Lambda runtime, behind RDS Proxy, has
// it off by default).
//
// The set of statements is bounded by the control plane's query shapes: values travel as parameters,
// and the few statements with values written into them (tenant-transaction.ts) have no parameters, so
// postgres.js sends them over the simple protocol, unprepared. postgres.js drops a connection's
// statements with the connection (max_lifetime), and re-prepares one the server invalidated (after a
// migration changed its table).
import type { Sql, TransactionSql } from 'postgres';

type UnsafeOptions = NonNullable<Parameters<Sql['unsafe']>[2]>;

/** `client` whose queries from drizzle (unsafe()) are named prepared statements, in transactions too. */
export function preparingStatements<T extends Sql | TransactionSql>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, parameters?: unknown[], options?: UnsafeOptions) =>
          (target.unsafe as Sql['unsafe'])(query, parameters as never, { ...options, prepare: true });
      }
      if (property === 'begin') {
        // drizzle's transaction runs its queries on the client begin() hands its callback.
        return (...args: unknown[]) => {
          const work = args.at(-1) as (transaction: TransactionSql) => unknown;
          return (target as Sql).begin(...(args.slice(0, -1) as [string]), (transaction) => work(preparingStatements(transaction)));
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}
