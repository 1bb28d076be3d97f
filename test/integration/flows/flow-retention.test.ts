// Flow logs are kept per plan (free 24 h, team 7 days, enterprise 30 days): the expiry pass deletes
// each tenant's rows past its own retention, in bounded batches, through the one SECURITY DEFINER
// function; the application role itself still cannot delete a flow log.
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, migrate, newId, openDatabase, rowsOf, withTenant } from '../../../db/index.ts';
import { clusters, flowLogs, tenants } from '../../../db/schema/index.ts';
import { PLANS, type PlanName } from '../../../policy/plan/limits.ts';
import { expireFlowLogs } from '../../../workers/flows/expire.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

const HOUR = 3_600_000;

describe.each(['postgres', 'pglite'] as const)('flow retention on %s', (flavour) => {
  let database: Database | undefined;
  let testDatabase: TestDatabase | undefined;

  afterEach(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  async function open() {
    testDatabase = flavour === 'postgres' ? await createTestDatabase() : undefined;
    database = await openDatabase({ url: testDatabase?.url });
    await migrate(database.db);
    return database.db;
  }

  /** A tenant on `plan` with one cluster holding one flow row per age (hours before now). */
  async function tenantWithFlows(db: Database['db'], plan: PlanName, agesInHours: readonly number[]) {
    const tenantId = newId();
    const clusterId = newId();
    await db.insert(tenants).values({ id: tenantId, name: `tenant-${tenantId}`, plan, limits: PLANS[plan] });
    await db.insert(clusters).values({ id: clusterId, tenantId, name: `cluster-${clusterId}`, provider: 'kind' });
    const now = Date.now();
    await db.insert(flowLogs).values(
      agesInHours.map((age) => ({
        id: newId(),
        tenantId,
        clusterId,
        nodeName: 'node-1',
        startTime: new Date(now - age * HOUR - 15_000),
        endTime: new Date(now - age * HOUR),
        endpoint: 'shop/web',
        direction: 'egress' as const,
        remote: '198.18.0.9',
        protocol: 6,
        port: 80,
        kind: 'allowed' as const,
        rule: null,
        count: age,
        bytes: 60,
      })),
    );
    return { tenantId, clusterId };
  }

  const agesOf = async (db: Database['db'], clusterId: string) =>
    rowsOf<{ age: number }>(await db.execute(sql`select count as age from flow_logs where cluster_id = ${clusterId} order by count`)).map((row) => row.age);

  it("deletes each tenant's flows past its plan's retention and keeps the rest", async () => {
    const db = await open();
    const free = await tenantWithFlows(db, 'free', [1, 23, 25, 100]);
    const team = await tenantWithFlows(db, 'team', [1, 25, 7 * 24 - 1, 7 * 24 + 1, 400]);
    const enterprise = await tenantWithFlows(db, 'enterprise', [1, 25, 7 * 24 + 1, 30 * 24 - 1, 30 * 24 + 1]);

    const pass = await expireFlowLogs(db, { batchSize: 1_000, pauseMs: 0, maxBatches: 10 });
    expect(pass).toEqual({ deleted: 5, batches: 1 });
    expect(await agesOf(db, free.clusterId)).toEqual([1, 23]);
    expect(await agesOf(db, team.clusterId)).toEqual([1, 25, 7 * 24 - 1]);
    expect(await agesOf(db, enterprise.clusterId)).toEqual([1, 25, 7 * 24 + 1, 30 * 24 - 1]);
    expect((await expireFlowLogs(db, { batchSize: 1_000, pauseMs: 0, maxBatches: 10 })).deleted).toBe(0);
  });

  it('deletes a backlog in batches of the asked size, and a pass stops at its batch bound', async () => {
    const db = await open();
    const backlog = await tenantWithFlows(db, 'free', [...Array.from({ length: 25 }, (_, index) => 30 + index), 2]);

    expect(await expireFlowLogs(db, { batchSize: 10, pauseMs: 1, maxBatches: 2 })).toEqual({ deleted: 20, batches: 2 });
    expect(await agesOf(db, backlog.clusterId)).toHaveLength(6);
    expect(await expireFlowLogs(db, { batchSize: 10, pauseMs: 1, maxBatches: 10 })).toEqual({ deleted: 5, batches: 1 });
    expect(await agesOf(db, backlog.clusterId)).toEqual([2]);
  });

  it('leaves the application role no way to delete flow logs but the function', async () => {
    const db = await open();
    const owner = await tenantWithFlows(db, 'free', [1, 2]);
    await expect(withTenant(db, owner.tenantId, (tx) => tx.execute(sql`delete from flow_logs where cluster_id = ${owner.clusterId}`))).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/permission denied/) },
    });
    expect(await agesOf(db, owner.clusterId)).toEqual([1, 2]);
  });
});
