// A tenant transaction sends its settings (tenant, role) in the same round trip as its work's first
// query (db/tenant-transaction.ts). Row-level security rests on that query running after them, as the
// application role, whatever shape it has; and on both being undone at commit.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, newId, rowsOf, withoutTenant, withTenant } from '../../../db/index.ts';
import { tenants } from '../../../db/schema/index.ts';
import { type OneSessionDatabase, openOneSessionDatabase } from '../../support/one-session-database.ts';

interface Session {
  current_user: string;
  tenant: string | null;
}

const sessionQuery = sql`select current_user, nullif(current_setting('app.tenant_id', true), '') as tenant`;

describe.each(['postgres', 'pglite'] as const)('tenant transactions on %s', (flavour) => {
  let opened: OneSessionDatabase | undefined;
  let database: Database;
  const mine = newId();
  const theirs = newId();

  beforeAll(async () => {
    // One connection, so what a transaction left behind would be seen by the next query.
    opened = await openOneSessionDatabase(flavour, { [mine]: 'mine', [theirs]: 'theirs' });
    database = opened.database;
  });
  afterAll(() => opened?.close());

  it("runs the work's first query after the settings, as the application role with the tenant set", async () => {
    const raw = await withTenant(database.db, mine, async (tx) => rowsOf<Session>(await tx.execute(sessionQuery)));
    expect(raw).toEqual([{ current_user: 'palisade_app', tenant: mine }]);
    // A query built by drizzle takes another path to the driver: it too sees only the tenant's row.
    const built = await withTenant(database.db, mine, (tx) => tx.select({ id: tenants.id }).from(tenants));
    expect(built).toEqual([{ id: mine }]);
    const unscoped = await withoutTenant(database.db, (tx) => tx.select({ id: tenants.id }).from(tenants));
    expect(unscoped).toEqual([]);
  });

  it('undoes the settings at commit and at rollback', async () => {
    const [owner] = rowsOf<Session>(await database.db.execute(sessionQuery));
    await withTenant(database.db, mine, (tx) => tx.execute(sessionQuery));
    expect(rowsOf<Session>(await database.db.execute(sessionQuery))).toEqual([owner]);
    await expect(
      withTenant(database.db, mine, async (tx) => {
        await tx.execute(sessionQuery);
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    expect(rowsOf<Session>(await database.db.execute(sessionQuery))).toEqual([owner]);
    expect(owner!.current_user).not.toBe('palisade_app');
  });

  it('refuses a tenant id that is no UUID before running anything (it is written into the settings)', async () => {
    for (const forged of [`${mine}', true), set_config('role', 'postgres`, `${mine} `, 'tenant', '']) {
      const failing = withTenant(database.db, forged, (tx) => tx.update(tenants).set({ name: 'renamed' }).where(eq(tenants.id, theirs)));
      await expect(failing).rejects.toMatchObject({ code: 'ID_NOT_A_UUID' });
    }
    const [row] = await database.db.select({ name: tenants.name }).from(tenants).where(eq(tenants.id, theirs));
    expect(row).toEqual({ name: 'theirs' });
  });
});
