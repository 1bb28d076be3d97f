// A migrated database of either flavour on one connection, so what a statement leaves on its session
// is what the next query sees, holding the tenants a test names (rows owned by the migration owner).
import { type Database, migrate, openDatabase } from '../../db/index.ts';
import { tenants } from '../../db/schema/index.ts';
import { createTestDatabase } from './postgres.ts';

export type DatabaseFlavour = 'postgres' | 'pglite';

export interface OneSessionDatabase {
  database: Database;
  /** Closes the connection and drops the database. */
  close(): Promise<void>;
}

/** `names` maps each tenant id to its name; every tenant is on the free plan. */
export async function openOneSessionDatabase(flavour: DatabaseFlavour, names: Record<string, string>): Promise<OneSessionDatabase> {
  const testDatabase = flavour === 'postgres' ? await createTestDatabase() : undefined;
  const database = await openDatabase({ url: testDatabase?.url, maxConnections: 1 });
  const close = async () => {
    await database.close();
    await testDatabase?.drop();
  };
  try {
    await migrate(database.db);
    await database.db.insert(tenants).values(Object.entries(names).map(([id, name]) => ({ id, name, plan: 'free' as const, limits: {} })));
  } catch (error) {
    await close();
    throw error;
  }
  return { database, close };
}
