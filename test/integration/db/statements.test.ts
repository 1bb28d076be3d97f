// Statements built once (db/statements.ts) answer as the same query built per call would: in the
// caller's transaction (so as its tenant, under row-level security), with null stored as SQL NULL and
// not as JSON's null, rows mapped as drizzle maps them, on both drivers and with named prepared
// statements on or off; and never once their transaction has ended.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, migrate, newId, openDatabase, rowsOf, statement, withTenant } from '../../../db/index.ts';
import { auditLog, tenants } from '../../../db/schema/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

const insertEntry = statement('test-insert-audit-entry', (tx, values: { id: string; tenantId: string; before: unknown; after: unknown }) =>
  tx
    .insert(auditLog)
    .values({
      id: values.id,
      tenantId: values.tenantId,
      actor: 'test',
      action: 'create',
      resourceType: 'policy',
      resourceId: values.id,
      before: values.before,
      after: values.after,
    })
    .returning({ id: auditLog.id, after: auditLog.after, createdAt: auditLog.createdAt }),
);
const tenantNamed = statement('test-tenant-named', (tx, values: { id: string }) =>
  tx.select({ name: tenants.name }).from(tenants).where(eq(tenants.id, values.id)),
);

describe.each([
  ['postgres, prepared statements on', 'postgres', true],
  ['postgres, prepared statements off', 'postgres', false],
  ['PGlite', 'pglite', true],
] as const)('%s', (_, driver, preparedStatements) => {
  let database: Database;
  let testDatabase: TestDatabase | undefined;
  const tenantA = newId();
  const tenantB = newId();

  beforeAll(async () => {
    testDatabase = driver === 'postgres' ? await createTestDatabase() : undefined;
    database = await openDatabase(testDatabase ? { url: testDatabase.url, maxConnections: 2, preparedStatements } : {});
    await migrate(database.db);
    await database.db.insert(tenants).values([
      { id: tenantA, name: 'a', plan: 'free', limits: {} },
      { id: tenantB, name: 'b', plan: 'free', limits: {} },
    ]);
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  it("runs in the caller's transaction, as its tenant, call after call", async () => {
    for (let call = 0; call < 3; call++) {
      expect(await withTenant(database.db, tenantA, (tx) => tenantNamed(tx, { id: tenantA }))).toEqual([{ name: 'a' }]);
      // Row-level security applies: the statement ran in B's transaction, not beside it.
      expect(await withTenant(database.db, tenantB, (tx) => tenantNamed(tx, { id: tenantA }))).toEqual([]);
    }
  });

  it('stores null as SQL NULL, and values as their columns encode them', async () => {
    const id = newId();
    const [row] = await withTenant(database.db, tenantA, (tx) => insertEntry(tx, { id, tenantId: tenantA, before: null, after: { spec: { n: 1 } } }));
    expect(row).toMatchObject({ id, after: { spec: { n: 1 } } });
    expect(row!.createdAt).toBeInstanceOf(Date);
    const [stored] = rowsOf<{ before_is_null: boolean; after_kind: string }>(
      await database.db.execute(sql`select before is null as before_is_null, jsonb_typeof(after) as after_kind from audit_log where id = ${id}`),
    );
    expect(stored).toEqual({ before_is_null: true, after_kind: 'object' });
  });

  it('refuses to run once its transaction has ended', async () => {
    let ended: Parameters<Parameters<typeof withTenant>[2]>[0] | undefined;
    await withTenant(database.db, tenantA, async (tx) => {
      ended = tx;
    });
    expect(() => tenantNamed(ended!, { id: tenantA })).toThrow(/closed during the transaction/);
  });
});
