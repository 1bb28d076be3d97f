// drizzle's queries run as named prepared statements where the database keeps them (db/prepared-
// statements.ts), and as unnamed ones where it must not: behind RDS Proxy a session that prepares a
// statement is pinned to its server connection, so with DATABASE_PREPARED_STATEMENTS off none may be
// left in the session.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, migrate, newId, openDatabase, rowsOf, withTenant } from '../../../db/index.ts';
import { tenants } from '../../../db/schema/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

const preparedInSession = sql`select statement from pg_prepared_statements`;

describe.each([true, false])('with prepared statements %s', (preparedStatements) => {
  let database: Database;
  let testDatabase: TestDatabase;
  const tenant = newId();

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    // One connection: every transaction below runs in the same server session.
    database = await openDatabase({ url: testDatabase.url, maxConnections: 1, preparedStatements });
    await migrate(database.db);
    await database.db.insert(tenants).values({ id: tenant, name: 'prepared', plan: 'free', limits: {} });
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  it(preparedStatements ? 'prepares a query once per session and reuses it' : 'leaves no statement prepared in the session', async () => {
    const read = () => withTenant(database.db, tenant, (tx) => tx.select({ name: tenants.name }).from(tenants).where(eq(tenants.id, tenant)));
    expect(await read()).toEqual([{ name: 'prepared' }]);
    expect(await read()).toEqual([{ name: 'prepared' }]);
    const statements = rowsOf<{ statement: string }>(await database.db.execute(preparedInSession)).filter(({ statement }) =>
      statement.includes('from "tenants"'),
    );
    expect(statements).toHaveLength(preparedStatements ? 1 : 0);
  });

  it('gives the same answers inside a transaction whose statement failed', async () => {
    // A failed statement aborts the transaction: nothing it prepared may break the next one.
    await expect(withTenant(database.db, tenant, (tx) => tx.execute(sql`select 1 / 0`))).rejects.toMatchObject({ cause: { code: '22012' } });
    const [row] = await withTenant(database.db, tenant, (tx) => tx.select({ name: tenants.name }).from(tenants).where(eq(tenants.id, tenant)));
    expect(row).toEqual({ name: 'prepared' });
  });
});
