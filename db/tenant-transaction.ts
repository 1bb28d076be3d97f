// Every request-scoped query runs inside one of these transactions: the tenant is set with
// set_config(..., true) and the role switched with SET LOCAL ROLE, both undone at commit, so a pooled
// connection (or RDS Proxy) never carries one tenant's setting into another's request.
import { sql } from 'drizzle-orm';
import type { Db, Tx } from './client.ts';
import { transaction } from './transaction.ts';

export const APP_ROLE = 'palisade_app';

export async function withTenant<T>(db: Db, tenantId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(db, async (tx) => {
    // One round trip for both: set_config('role', ..., true) is SET LOCAL ROLE.
    await tx.execute(sql`select set_config('app.tenant_id', ${tenantId}, true), set_config('role', ${APP_ROLE}, true)`);
    return work(tx);
  });
}

/** As the application role with no tenant set: sees no tenant rows; used to resolve credentials. */
export async function withoutTenant<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(db, async (tx) => {
    await tx.execute(sql.raw(`set local role ${APP_ROLE}`));
    return work(tx);
  });
}
