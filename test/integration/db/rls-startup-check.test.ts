// Start-up refuses to serve when tenant isolation would not hold, on both database flavours.
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { assertTenantIsolation, type Database, migrate, openDatabase } from '../../../db/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

describe.each(['postgres', 'pglite'] as const)('the tenant isolation check on %s', (flavour) => {
  let database: Database | undefined;
  let testDatabase: TestDatabase | undefined;

  async function open() {
    testDatabase = flavour === 'postgres' ? await createTestDatabase() : undefined;
    database = await openDatabase({ url: testDatabase?.url });
    await migrate(database.db);
    return database;
  }

  afterEach(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  it('passes on a migrated database', async () => {
    const { db } = await open();
    await expect(assertTenantIsolation(db)).resolves.toBeUndefined();
  });

  it('fails loudly when a table has row-level security turned off', async () => {
    const { db } = await open();
    await db.execute(sql`alter table policies disable row level security`);
    await expect(assertTenantIsolation(db)).rejects.toThrow(/row-level security is off on policies/);
  });

  it('fails loudly when a new table is reachable without a policy', async () => {
    const { db } = await open();
    await db.execute(sql`create table leaky (id int)`);
    await db.execute(sql`grant select on leaky to palisade_app`);
    await expect(assertTenantIsolation(db)).rejects.toThrow(/row-level security is off on leaky/);
  });

  it('applies migrations once, however often start-up runs them', async () => {
    const { db } = await open();
    expect(await migrate(db)).toEqual([]);
  });
});
