// Tenant B, holding tenant A's ids, gets 404 from every endpoint, and A's objects are untouched. The
// last tests show it is row-level security, not only application code, that hides A's rows.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, withoutTenant, withTenant } from '../../../db/index.ts';
import { apiClient, createAgentToken, createCluster, createPolicy, networkPolicy, signUp, type ApiClient } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

const TENANT_TABLES = ['tenants', 'members', 'api_keys', 'clusters', 'agent_tokens', 'policies', 'bundles', 'agent_status', 'audit_log', 'outbox', 'idempotency_keys', 'cluster_inventories', 'flow_logs'];

describe.each(['postgres', 'pglite'] as const)('tenant isolation on %s', (flavour) => {
  let control: TestControlPlane;
  let api: ApiClient;
  let a: { key: string; tenantId: string; clusterId: string; policyId: string; policyName: string; keyId: string; tokenId: string; token: string };
  let b: { key: string; tenantId: string };

  beforeAll(async () => {
    control = await startTestControlPlane(flavour);
    api = apiClient(control.url);
    const owner = await signUp(api);
    const cluster = await createCluster(api, owner.key);
    const policy = await createPolicy(api, owner.key, cluster.id);
    const extraKey = await api.post('/v1/api-keys', { key: owner.key, body: { name: 'ci', role: 'viewer' } });
    const token = await createAgentToken(api, owner.key, cluster.id);
    const tokens = await api.get(`/v1/clusters/${cluster.id}/agent-tokens`, { key: owner.key });
    a = {
      ...owner,
      clusterId: cluster.id,
      policyId: policy.id,
      policyName: (policy.manifest.metadata as { name: string }).name,
      keyId: extraKey.body.id,
      tokenId: tokens.body.items[0].id,
      token,
    };
    await api.post('/v1/agent/status', { key: token, body: { nodeName: 'node-a', appliedRevision: null } });
    b = await signUp(api);
  });
  afterAll(() => control?.stop());

  it("answers 404 on every endpoint that takes an id when tenant B uses tenant A's ids", async () => {
    const calls: [string, string, unknown?][] = [
      ['GET', `/v1/clusters/${a.clusterId}`],
      ['PUT', `/v1/clusters/${a.clusterId}`, { name: 'stolen', provider: 'kind' }],
      ['DELETE', `/v1/clusters/${a.clusterId}`],
      ['GET', `/v1/clusters/${a.clusterId}/agents`],
      ['GET', `/v1/clusters/${a.clusterId}/bundles`],
      ['GET', `/v1/clusters/${a.clusterId}/flows`],
      ['GET', `/v1/clusters/${a.clusterId}/explain?from=x/a&to=x/b&port=80&protocol=TCP`],
      ['GET', `/v1/clusters/${a.clusterId}/policies`],
      ['POST', `/v1/clusters/${a.clusterId}/policies`, networkPolicy('intruder')],
      ['GET', `/v1/clusters/${a.clusterId}/agent-tokens`],
      ['POST', `/v1/clusters/${a.clusterId}/agent-tokens`, { name: 'x' }],
      ['DELETE', `/v1/clusters/${a.clusterId}/agent-tokens/${a.tokenId}`],
      ['GET', `/v1/policies/${a.policyId}`],
      ['PUT', `/v1/policies/${a.policyId}`, networkPolicy(a.policyName)],
      ['DELETE', `/v1/policies/${a.policyId}`],
      ['GET', `/v1/api-keys/${a.keyId}`],
      ['DELETE', `/v1/api-keys/${a.keyId}`],
    ];
    for (const [method, path, body] of calls) {
      const response = await api.call(method, path, { key: b.key, body });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
    // Tenant A's objects are all still there and unchanged.
    expect((await api.get(`/v1/clusters/${a.clusterId}`, { key: a.key })).body.name).not.toBe('stolen');
    expect((await api.get(`/v1/policies/${a.policyId}`, { key: a.key })).status).toBe(200);
    expect((await api.get(`/v1/api-keys/${a.keyId}`, { key: a.key })).status).toBe(200);
    expect((await api.get('/v1/agent/bundle', { key: a.token })).status).toBe(200);
  });

  it("lists only the caller's own objects", async () => {
    for (const path of ['/v1/clusters', '/v1/api-keys']) {
      const listed = await api.get(path, { key: b.key });
      expect(listed.status).toBe(200);
      expect(JSON.stringify(listed.body)).not.toContain(a.clusterId);
      expect(JSON.stringify(listed.body)).not.toContain(a.keyId);
    }
  });

  it('shows no row of any tenant table to the application role without a tenant setting', async () => {
    const { db } = control.plane.database;
    for (const table of TENANT_TABLES) {
      const [asOwner] = rowsOf<{ n: number }>(await db.execute(sql.raw(`select count(*)::int as n from ${table}`)));
      const [unscoped] = await withoutTenant(db, async (tx) => rowsOf<{ n: number }>(await tx.execute(sql.raw(`select count(*)::int as n from ${table}`))));
      expect({ table, unscoped: unscoped!.n }).toEqual({ table, unscoped: 0 });
      if (['tenants', 'clusters', 'policies', 'bundles', 'audit_log'].includes(table)) expect(asOwner!.n).toBeGreaterThan(0);
    }
  });

  it("shows tenant B's transaction none of tenant A's rows, even when the query asks for them by id", async () => {
    const { db } = control.plane.database;
    const seen = await withTenant(db, b.tenantId, async (tx) =>
      rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from clusters where id = ${a.clusterId}`)),
    );
    expect(seen[0]!.n).toBe(0);
    // Nor can B write a row that claims to be A's: the policy's WITH CHECK refuses it.
    const forged = await withTenant(db, b.tenantId, (tx) =>
      tx.execute(sql`insert into clusters (id, tenant_id, name, provider) values (gen_random_uuid(), ${a.tenantId}, 'forged', 'kind')`),
    ).then(() => undefined, (error: Error & { cause?: Error }) => error.cause?.message ?? error.message);
    expect(forged).toMatch(/row-level security/);
  });

  it('runs request transactions as a role that is not a superuser, cannot bypass RLS and owns no table', async () => {
    const [role] = await withoutTenant(control.plane.database.db, async (tx) =>
      rowsOf<{ current_user: string; rolsuper: boolean; rolbypassrls: boolean; owned: number }>(
        await tx.execute(sql`select current_user, r.rolsuper, r.rolbypassrls,
          (select count(*)::int from pg_class c where c.relowner = r.oid) as owned
          from pg_roles r where r.rolname = current_user`),
      ),
    );
    expect(role).toEqual({ current_user: 'palisade_app', rolsuper: false, rolbypassrls: false, owned: 0 });
  });
});
