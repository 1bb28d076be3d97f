// Tenants signed up before plans had rulesPerEndpoint, cidrsPerSet and bandwidthCeilingBitsPerSecond
// store limits without them: migration 0010 fills each missing key from the tenant's plan and keeps
// what is there, and reads tolerate rows it has not reached.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations, rowsOf } from '../../../db/index.ts';
import { PLANS } from '../../../policy/plan/limits.ts';
import { type ApiClient, apiClient, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

const OLD_LIMITS = { clusters: 3, policies: 200, rulesPerPolicy: 100 };

describe('migration 0010: tenant limits', () => {
  let control: TestControlPlane;
  let api: ApiClient;

  beforeAll(async () => {
    control = await startTestControlPlane('postgres');
    api = apiClient(control.url);
  });
  afterAll(() => control?.stop());

  const db = () => control.plane.database.db;
  const limitsOf = async (tenantId: string) =>
    rowsOf<{ limits: Record<string, number> }>(await db().execute(sql`select limits from tenants where id = ${tenantId}`))[0]!.limits;

  it('fills the new limits from each plan, keeping values already set', async () => {
    const team = await signUp(api, 'team');
    const enterprise = await signUp(api, 'enterprise');
    const negotiated = await signUp(api, 'free');
    await db().execute(sql`update tenants set limits = ${JSON.stringify(OLD_LIMITS)}::jsonb where id in (${team.tenantId}, ${enterprise.tenantId})`);
    await db().execute(sql`update tenants set limits = ${JSON.stringify({ ...OLD_LIMITS, cidrsPerSet: 5 })}::jsonb where id = ${negotiated.tenantId}`);

    // Before the migration reaches them, the API reads missing limits from the plan.
    expect((await api.get('/v1/tenant', { key: team.key })).body.limits).toEqual({ ...PLANS.team, ...OLD_LIMITS });

    const migration = listMigrations().find((m) => m.tag.startsWith('0010_'))!;
    for (const statement of migration.statements) await db().execute(sql.raw(statement));

    expect(await limitsOf(team.tenantId)).toEqual({ ...PLANS.team, ...OLD_LIMITS });
    expect(await limitsOf(enterprise.tenantId)).toEqual({ ...PLANS.enterprise, ...OLD_LIMITS });
    expect(await limitsOf(negotiated.tenantId)).toEqual({ ...PLANS.free, ...OLD_LIMITS, cidrsPerSet: 5 });
  });

  it('leaves tenants signed up with the new limits as they are', async () => {
    const fresh = await signUp(api, 'team');
    const before = await limitsOf(fresh.tenantId);
    expect(before).toEqual(PLANS.team);
    const migration = listMigrations().find((m) => m.tag.startsWith('0010_'))!;
    for (const statement of migration.statements) await db().execute(sql.raw(statement));
    expect(await limitsOf(fresh.tenantId)).toEqual(before);
  });
});
