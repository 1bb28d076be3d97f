// Every transaction the control plane runs goes through `transaction`, which keeps the process alive
// when the database goes away mid-transaction.
//
// postgres.js 3.4.9 (porsager/postgres#1208, #1154): when a transaction's connection closes while a
// query is in flight, the query rejects, and begin() then writes its own ROLLBACK to that connection
// from its catch block. The socket is already dropped, so the write throws from a setImmediate callback
// no caller can catch, and the process dies. begin() issues that ROLLBACK only when the transaction's
// callback rejects; it also rejects by itself once the driver has seen the connection close. So when a
// query fails because the database is unreachable, the callback here does not reject: it waits, and
// begin()'s own rejection ends the transaction (the server has rolled it back with the connection).
// The caller gets the unavailable error (answered 503). Should the connection not close after all, the
// callback rejects after a while, as it would have at once.
//
// The same dropped socket takes any further query of the transaction: a callback busy between queries
// when the connection closes would send its next one into it (or, once the pool has reconnected, run
// it outside the transaction). So the callback's `tx` refuses to start a query once the transaction
// has ended.
import type { Db, Tx } from './client.ts';
import { isDatabaseUnavailable } from './errors.ts';

/** How long a callback whose query failed as unavailable waits for the driver to see its connection close. */
const CLOSE_WAIT_MS = 10_000;

class ConnectionLost extends Error {
  readonly code = 'CONNECTION_CLOSED';
}

export async function transaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  let lost: unknown;
  let settled = false;
  let giveUp: NodeJS.Timeout | undefined;
  try {
    return await db.transaction(async (tx) => {
      try {
        return await work(guarded(tx, () => settled));
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        lost = error;
        // Once begin() has settled, a rejection here would send the ROLLBACK to whatever session the
        // pool has since opened on that connection: never settle.
        if (settled) return new Promise<never>(() => {});
        return new Promise<never>((_, reject) => {
          giveUp = setTimeout(() => reject(error), CLOSE_WAIT_MS);
        });
      }
    });
  } catch (error) {
    // begin() rejects with no reason when the connection closes under it (its onclose passes none).
    throw lost ?? error ?? new ConnectionLost('the database connection closed during the transaction');
  } finally {
    settled = true;
    clearTimeout(giveUp);
  }
}

const DRIVER_CLIENT = Symbol('driver client');

/**
 * The driver's own client for `tx` (postgres.js's TransactionSql, PGlite's transaction), for statements
 * run without drizzle's query building (statements.ts); undefined for a transaction not opened here.
 * Like tx's methods, it throws ConnectionLost once the transaction has ended.
 */
export function driverClientOf(tx: Tx): unknown {
  const client = (tx as Tx & { [DRIVER_CLIENT]?: () => unknown })[DRIVER_CLIENT];
  return client?.();
}

/** `tx` whose methods (select, insert, execute, ...) throw ConnectionLost once `ended()` holds. */
function guarded(tx: Tx, ended: () => boolean): Tx {
  // drizzle keeps a transaction's driver client on its session, untyped.
  const { client } = tx._.session as unknown as { client?: unknown };
  return new Proxy(tx, {
    get(target, property, receiver) {
      if (property === DRIVER_CLIENT) {
        return () => {
          if (ended()) throw new ConnectionLost('the database connection closed during the transaction');
          return client;
        };
      }
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (ended()) throw new ConnectionLost('the database connection closed during the transaction');
        return value.apply(target, args);
      };
    },
  });
}
