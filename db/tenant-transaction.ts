// Every request-scoped query runs inside one of these transactions: the tenant is set with
// set_config(..., true) and the role switched with SET LOCAL ROLE, both undone at commit, so a pooled
// connection (or RDS Proxy) never carries one tenant's setting into another's request.
//
// The settings are sent without waiting for their answer, and the work's first query follows them in
// the same round trip: a transaction's queries run on its one connection in the order they were
// started (postgres.js queues them; PGlite's transaction takes them one at a time, in turn), and the
// settings are started before the work is even called. So no query of the work can run before them,
// and should they fail, the transaction is aborted and every later query of it fails too: nothing runs
// without them.
//
// The settings' statement has no parameters: with prepare: false, postgres.js sends a parameterised
// statement in two round trips (it asks the server for the parameter types first, and holds back the
// queries behind it meanwhile). The tenant id is written into the statement instead, once it is known
// to be a UUID (ids.ts uuidLiteral: hex digits and dashes, nothing else can get in). A read is then BEGIN, the settings
// with the select's first half, the select's second half, COMMIT: four round trips where it took six.
import { type SQL, sql } from 'drizzle-orm';
import type { Db, Tx } from './client.ts';
import { uuidLiteral } from './ids.ts';
import { inStartOrder } from './pipeline.ts';
import { transaction } from './transaction.ts';

export const APP_ROLE = 'palisade_app';

async function withSettings<T>(db: Db, settings: SQL, work: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(db, async (tx) => {
    // then() starts the query now, before `work` starts any of its own. The work runs to its end even
    // when the settings failed (its queries then fail as well); the settings' failure is the cause.
    const [, done] = await inStartOrder(
      tx.execute(settings).then(() => undefined),
      (async () => work(tx))(),
    );
    return done;
  });
}

/** The statement that scopes a transaction to `tenantId`, as the application role; undone when the transaction ends. */
export function tenantSettingsText(tenantId: string): string {
  // One statement for both: set_config('role', ..., true) is SET LOCAL ROLE.
  return `select set_config('app.tenant_id', ${uuidLiteral(tenantId)}, true), set_config('role', '${APP_ROLE}', true)`;
}

export async function withTenant<T>(db: Db, tenantId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  return withSettings(db, sql.raw(tenantSettingsText(tenantId)), work);
}

/** As the application role with no tenant set: sees no tenant rows; used to resolve credentials. */
export function withoutTenant<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return withSettings(db, sql.raw(`set local role ${APP_ROLE}`), work);
}
