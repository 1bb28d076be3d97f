// Tenants signed up before plans had rulesPerEndpoint, cidrsPerSet and bandwidthCeilingBitsPerSecond
// (and later flowRetentionHours and flowRowsPerAgentMinute) store limits without them: migration 0010
// (and flow-retention-and-caps) fill each missing key from the tenant's plan and keep what is there,
// and reads tolerate rows they have not reached.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations, rowsOf } from '../../../db/index.ts';
import { PLANS } from '../../../policy/plan/limits.ts';
import { type ApiClient, apiClient, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

const OLD_LIMITS = { clusters: 3, policies: 200, rulesPerPolicy: 100 };

/** The statements that fill limits: all of 0010, and the tenants update of flow-retention-and-caps. */
function fillingStatements(): string[] {
  const migrations = listMigrations();
  const limits = migrations.find((m) => m.tag.startsWith('0010_'))!;
  const flows = migrations.find((m) => m.tag.endsWith('_flow-retention-and-caps'))!;
  return [...limits.statements, ...flows.statements.filter((statement) => statement.includes('UPDATE "tenants"'))];
}

describe('migrations 0010 and flow-retention-and-caps: tenant limits', () => {
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

    for (const statement of fillingStatements()) await db().execute(sql.raw(statement));

    expect(await limitsOf(team.tenantId)).toEqual({ ...PLANS.team, ...OLD_LIMITS });
    expect(await limitsOf(enterprise.tenantId)).toEqual({ ...PLANS.enterprise, ...OLD_LIMITS });
    expect(await limitsOf(negotiated.tenantId)).toEqual({ ...PLANS.free, ...OLD_LIMITS, cidrsPerSet: 5 });
  });

  it('leaves tenants signed up with the new limits as they are', async () => {
    const fresh = await signUp(api, 'team');
    const before = await limitsOf(fresh.tenantId);
    expect(before).toEqual(PLANS.team);
    for (const statement of fillingStatements()) await db().execute(sql.raw(statement));
    expect(await limitsOf(fresh.tenantId)).toEqual(before);
  });
});
