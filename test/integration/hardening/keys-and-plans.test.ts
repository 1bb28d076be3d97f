// Authorization and plans (issue 10, item 6): a key is revoked only by a caller with at least its
// role, sign-up always gives the free plan, and only the owner changes plan, never below what the
// tenant already uses.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../../db/index.ts';
import { PLANS } from '../../../policy/plan/limits.ts';
import { type ApiClient, apiClient, createCluster, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

describe('keys and plans', () => {
  let control: TestControlPlane;
  let api: ApiClient;

  beforeAll(async () => {
    control = await startTestControlPlane('pglite');
    api = apiClient(control.url);
  });
  afterAll(() => control?.stop());

  const mint = async (key: string, role: string) => {
    const response = await api.post('/v1/api-keys', { key, body: { name: role, role } });
    expect(response.status).toBe(201);
    return response.body as { id: string; key: string };
  };

  it('lets an admin revoke keys up to its own role, but not an owner key', async () => {
    const { key: owner } = await signUp(api);
    const admin = await mint(owner, 'admin');
    const otherOwner = await mint(owner, 'owner');
    const editor = await mint(owner, 'editor');

    const refused = await api.delete(`/v1/api-keys/${otherOwner.id}`, { key: admin.key });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect((await api.get('/v1/tenant', { key: otherOwner.key })).status).toBe(200);

    expect((await api.delete(`/v1/api-keys/${editor.id}`, { key: admin.key })).status).toBe(204);
    expect((await api.get('/v1/tenant', { key: editor.key })).status).toBe(401);
    expect((await api.delete(`/v1/api-keys/${otherOwner.id}`, { key: owner })).status).toBe(204);
    expect((await api.get('/v1/tenant', { key: otherOwner.key })).status).toBe(401);
  });

  it('signs up on the free plan, refusing a plan in the request', async () => {
    const body = { tenantName: 'chooser', email: 'chooser@example.com' };
    const refused = await api.post('/v1/signup', { body: { ...body, plan: 'enterprise' } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((error: { path: string }) => error.path)).toEqual(['plan']);
    const created = await api.post('/v1/signup', { body });
    expect(created.status).toBe(201);
    expect(created.body.tenant).toMatchObject({ plan: 'free', limits: PLANS.free });
  });

  it('changes plan for the owner only, audited, and refuses a downgrade below current usage naming the limit', async () => {
    const { key: owner, tenantId } = await signUp(api);
    const admin = await mint(owner, 'admin');
    expect((await api.put('/v1/tenant/plan', { key: admin.key, body: { plan: 'enterprise' } })).status).toBe(403);
    expect((await api.put('/v1/tenant/plan', { key: owner, body: { plan: 'platinum' } })).status).toBe(422);

    const upgraded = await api.put('/v1/tenant/plan', { key: owner, body: { plan: 'team' } });
    expect(upgraded.status).toBe(200);
    expect(upgraded.body).toMatchObject({ plan: 'team', limits: PLANS.team });
    expect((await api.get('/v1/tenant', { key: owner })).body).toMatchObject({ plan: 'team', limits: PLANS.team });
    const [audit] = rowsOf<{ n: number }>(
      await control.plane.database.db.execute(
        sql`select count(*)::int as n from audit_log where tenant_id = ${tenantId} and resource_type = 'tenant' and action = 'update'`,
      ),
    );
    expect(audit!.n).toBe(1);

    for (let i = 0; i <= PLANS.free.clusters; i++) await createCluster(api, owner);
    const downgrade = await api.put('/v1/tenant/plan', { key: owner, body: { plan: 'free' } });
    expect(downgrade.status).toBe(422);
    expect(downgrade.body).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'clusters', usage: PLANS.free.clusters + 1 });
    expect(downgrade.body.errors[0].path).toBe('plan');
    expect((await api.get('/v1/tenant', { key: owner })).body.plan).toBe('team');
  });
});
