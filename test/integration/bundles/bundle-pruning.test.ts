// Bundle history is bounded: the prune pass keeps each cluster's last 20 revisions and any revision an
// agent still reports, through the one SECURITY DEFINER function; the application role itself still
// cannot delete a bundle.
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, migrate, newId, openDatabase, rowsOf, withTenant } from '../../../db/index.ts';
import { agentStatus, bundles, clusters, tenants } from '../../../db/schema/index.ts';
import { pruneBundles } from '../../../workers/bundle/prune.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

describe.each(['postgres', 'pglite'] as const)('bundle pruning on %s', (flavour) => {
  let database: Database | undefined;
  let testDatabase: TestDatabase | undefined;

  afterEach(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  async function clusterWithBundles(db: Database['db'], revisions: number) {
    const tenantId = newId();
    const clusterId = newId();
    await db.insert(tenants).values({ id: tenantId, name: `tenant-${tenantId}`, plan: 'free', limits: {} });
    await db.insert(clusters).values({ id: clusterId, tenantId, name: `cluster-${clusterId}`, provider: 'kind' });
    for (let revision = 1; revision <= revisions; revision++)
      await db.insert(bundles).values({
        id: newId(),
        tenantId,
        clusterId,
        revision,
        sha256: 'sha',
        contentHash: `content-${revision}`,
        keyId: 'kid',
        jws: 'header.payload.signature',
        size: 24,
        expiresAt: new Date(Date.now() + 3_600_000),
      });
    return { tenantId, clusterId };
  }

  const revisionsOf = async (db: Database['db'], clusterId: string) =>
    rowsOf<{ revision: number }>(await db.execute(sql`select revision::int as revision from bundles where cluster_id = ${clusterId} order by revision`)).map(
      (row) => row.revision,
    );

  it('keeps the last 20 revisions and every revision an agent reports, and nothing else', async () => {
    testDatabase = flavour === 'postgres' ? await createTestDatabase() : undefined;
    database = await openDatabase({ url: testDatabase?.url });
    await migrate(database.db);
    const { db } = database;
    const busy = await clusterWithBundles(db, 26);
    const quiet = await clusterWithBundles(db, 5);
    await db
      .insert(agentStatus)
      .values({ id: newId(), tenantId: busy.tenantId, clusterId: busy.clusterId, nodeName: 'node-a', appliedRevision: 3, errors: [], programs: {} });

    expect(await pruneBundles(db)).toBe(5);
    expect(await revisionsOf(db, busy.clusterId)).toEqual([3, ...Array.from({ length: 20 }, (_, index) => index + 7)]);
    expect(await revisionsOf(db, quiet.clusterId)).toEqual([1, 2, 3, 4, 5]);
    expect(await pruneBundles(db)).toBe(0);

    // The application role, even in the bundles' own tenant, cannot delete one directly.
    await expect(withTenant(db, busy.tenantId, (tx) => tx.execute(sql`delete from bundles where cluster_id = ${busy.clusterId}`))).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/permission denied/) },
    });
    expect(await revisionsOf(db, busy.clusterId)).toHaveLength(21);
  });
});
