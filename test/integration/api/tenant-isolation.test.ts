// Tenant B, holding tenant A's ids, gets 404 from every endpoint, and A's objects are untouched. The
// endpoints come from the route registry (/openapi.json): each operation needs an entry in ISOLATION,
// saying how B calls it with A's ids or why it takes none, so a new route is covered the day it is
// added. The last tests show it is row-level security, not only application code, that hides A's rows.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, withoutTenant, withTenant } from '../../../db/index.ts';
import { type ApiClient, apiClient, createAgentToken, createCluster, createPolicy, networkPolicy, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

interface TenantA {
  key: string;
  tenantId: string;
  clusterId: string;
  policyId: string;
  policyName: string;
  keyId: string;
  tokenId: string;
  token: string;
  memberId: string;
  inviteId: string;
}

interface IsolationRequest {
  /** Values for the path's {placeholders}. */
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

/**
 * How tenant B calls each operation with tenant A's ids (and must get 404), or, for an operation that
 * names no tenant object, why it cannot reach another tenant's rows.
 */
type IsolationEntry = { call: (a: TenantA) => IsolationRequest } | { namesNoObject: string };

const OWN_TENANT = "acts on the caller's own tenant, taken from its API key; it names no object";
const AGENT_CLUSTER = "agent token only: the cluster is the token's own, and the request names no object";

const ISOLATION: Record<string, IsolationEntry> = {
  signup: { namesNoObject: 'creates a new tenant; takes no credential and no id' },
  getTrustRoot: { namesNoObject: 'the public keys that verify bundles; no tenant data' },
  getTenant: { namesNoObject: OWN_TENANT },
  changeTenantPlan: { namesNoObject: OWN_TENANT },
  createApiKey: { namesNoObject: OWN_TENANT },
  listApiKeys: { namesNoObject: `${OWN_TENANT} (see "lists only the caller's own objects")` },
  getApiKey: { call: (a) => ({ params: { id: a.keyId } }) },
  revokeApiKey: { call: (a) => ({ params: { id: a.keyId } }) },
  createCluster: { namesNoObject: OWN_TENANT },
  listClusters: { namesNoObject: `${OWN_TENANT} (see "lists only the caller's own objects")` },
  getCluster: { call: (a) => ({ params: { id: a.clusterId } }) },
  replaceCluster: { call: (a) => ({ params: { id: a.clusterId }, body: { name: 'stolen', provider: 'kind' } }) },
  deleteCluster: { call: (a) => ({ params: { id: a.clusterId } }) },
  listClusterAgents: { call: (a) => ({ params: { id: a.clusterId } }) },
  getClusterCompatibility: { call: (a) => ({ params: { id: a.clusterId } }) },
  getClusterInventory: { call: (a) => ({ params: { id: a.clusterId } }) },
  listClusterBundles: { call: (a) => ({ params: { id: a.clusterId } }) },
  listFlowLogs: { call: (a) => ({ params: { id: a.clusterId } }) },
  streamFlowLogs: { call: (a) => ({ params: { id: a.clusterId } }) },
  explainConnection: { call: (a) => ({ params: { id: a.clusterId }, query: { from: 'x/a', to: 'x/b', port: '80', protocol: 'TCP' } }) },
  createAgentToken: { call: (a) => ({ params: { id: a.clusterId }, body: { name: 'x' } }) },
  listAgentTokens: { call: (a) => ({ params: { id: a.clusterId } }) },
  getAgentToken: { call: (a) => ({ params: { id: a.clusterId, tokenId: a.tokenId } }) },
  revokeAgentToken: { call: (a) => ({ params: { id: a.clusterId, tokenId: a.tokenId } }) },
  listPolicies: { call: (a) => ({ params: { id: a.clusterId } }) },
  createPolicy: { call: (a) => ({ params: { id: a.clusterId }, body: networkPolicy('intruder') }) },
  getPolicy: { call: (a) => ({ params: { id: a.policyId } }) },
  replacePolicy: { call: (a) => ({ params: { id: a.policyId }, body: networkPolicy(a.policyName) }) },
  deletePolicy: { call: (a) => ({ params: { id: a.policyId } }) },
  promoteStagedPolicy: { call: (a) => ({ params: { id: a.policyId } }) },
  applyPolicies: { call: (a) => ({ query: { cluster: a.clusterId }, body: [networkPolicy('intruder')] }) },
  getAgentBundle: { namesNoObject: AGENT_CLUSTER },
  reportAgentStatus: { namesNoObject: AGENT_CLUSTER },
  shipAgentFlowLogs: { namesNoObject: AGENT_CLUSTER },
  reportAgentInventory: { namesNoObject: AGENT_CLUSTER },
  signIn: { namesNoObject: 'takes an email and password; the tenant is the one whose member they match' },
  getSession: { namesNoObject: "the caller's own session, taken from its cookie" },
  signOut: { namesNoObject: "ends the caller's own session, taken from its cookie" },
  listMembers: { namesNoObject: OWN_TENANT },
  getMember: { call: (a) => ({ params: { id: a.memberId } }) },
  removeMember: { call: (a) => ({ params: { id: a.memberId } }) },
  createInvite: { namesNoObject: OWN_TENANT },
  listInvites: { namesNoObject: OWN_TENANT },
  listAuditEvents: { namesNoObject: `${OWN_TENANT} (see "lists only the caller's own objects")` },
  getInvite: { call: (a) => ({ params: { id: a.inviteId } }) },
  revokeInvite: { call: (a) => ({ params: { id: a.inviteId } }) },
  acceptInvite: { namesNoObject: "takes the invite's token alone; the tenant is the one that issued it" },
};

interface Operation {
  operationId: string;
  method: string;
  /** As the document writes it: `/v1/clusters/{id}`. */
  template: string;
}

const describeOperation = (operation: Operation) => `${operation.operationId} (${operation.method} ${operation.template})`;

/** Every operation the application registered, from its OpenAPI document. */
async function operationsOf(baseUrl: string): Promise<Operation[]> {
  const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId?: string }>> };
  return Object.entries(document.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, operation]) => {
      if (!operation.operationId) throw new Error(`${method.toUpperCase()} ${template} has no operationId`);
      return { operationId: operation.operationId, method: method.toUpperCase(), template };
    }),
  );
}

function pathOf(operation: Operation, request: IsolationRequest): string {
  const path = operation.template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = request.params?.[name];
    if (value === undefined) throw new Error(`the ISOLATION entry for ${describeOperation(operation)} gives no value for {${name}}`);
    return value;
  });
  return request.query ? `${path}?${new URLSearchParams(request.query)}` : path;
}

const TENANT_TABLES = [
  'tenants',
  'members',
  'api_keys',
  'clusters',
  'agent_tokens',
  'policies',
  'bundles',
  'agent_status',
  'audit_log',
  'outbox',
  'idempotency_keys',
  'cluster_inventories',
  'flow_logs',
  'sessions',
  'invites',
];

describe.each(['postgres', 'pglite'] as const)('tenant isolation on %s', (flavour) => {
  let control: TestControlPlane;
  let api: ApiClient;
  let a: TenantA;
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
    const members = await api.get('/v1/members', { key: owner.key });
    const invite = await api.post('/v1/invites', { key: owner.key, body: { email: 'invited@example.com', role: 'viewer' } });
    a = {
      ...owner,
      clusterId: cluster.id,
      policyId: policy.id,
      policyName: (policy.manifest.metadata as { name: string }).name,
      keyId: extraKey.body.id,
      tokenId: tokens.body.items[0].id,
      token,
      memberId: members.body.items[0].id,
      inviteId: invite.body.invite.id,
    };
    await api.post('/v1/agent/status', { key: token, body: { nodeName: 'node-a', appliedRevision: null } });
    b = await signUp(api);
  });
  afterAll(() => control?.stop());

  it('has an isolation entry for every operation in /openapi.json, and none for an operation that is gone', async () => {
    const operations = await operationsOf(control.url);
    const missing = operations.filter((operation) => !Object.hasOwn(ISOLATION, operation.operationId));
    if (missing.length > 0) {
      throw new Error(
        `no tenant-isolation entry for ${missing.map(describeOperation).join(', ')}: add to ISOLATION how tenant B calls it with tenant A's ids, or why it takes none`,
      );
    }
    const known = new Set(operations.map((operation) => operation.operationId));
    expect(Object.keys(ISOLATION).filter((operationId) => !known.has(operationId))).toEqual([]);
  });

  it("answers 404 on every operation that takes an id when tenant B uses tenant A's ids", async () => {
    const operations = await operationsOf(control.url);
    let called = 0;
    for (const operation of operations) {
      const entry = ISOLATION[operation.operationId];
      if (!entry || !('call' in entry)) continue;
      const request = entry.call(a);
      const path = pathOf(operation, request);
      const response = await api.call(operation.method, path, { key: b.key, body: request.body });
      expect({ operation: operation.operationId, method: operation.method, path, status: response.status }).toEqual({
        operation: operation.operationId,
        method: operation.method,
        path,
        status: 404,
      });
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      called += 1;
    }
    // Every endpoint the hand-written list of 17 covered, and the ones it missed (apply, promote).
    expect(called).toBeGreaterThanOrEqual(19);
    // Tenant A's objects are all still there and unchanged.
    expect((await api.get(`/v1/clusters/${a.clusterId}`, { key: a.key })).body.name).not.toBe('stolen');
    expect((await api.get(`/v1/policies/${a.policyId}`, { key: a.key })).status).toBe(200);
    expect((await api.get(`/v1/api-keys/${a.keyId}`, { key: a.key })).status).toBe(200);
    expect((await api.get('/v1/agent/bundle', { key: a.token })).status).toBe(200);
    expect((await api.get('/v1/members', { key: a.key })).body.items.map((member: { id: string }) => member.id)).toEqual([a.memberId]);
    expect((await api.get('/v1/invites', { key: a.key })).body.items.map((invite: { id: string }) => invite.id)).toEqual([a.inviteId]);
  });

  it("lists only the caller's own objects", async () => {
    for (const path of ['/v1/clusters', '/v1/api-keys', '/v1/members', '/v1/invites', '/v1/audit-events']) {
      const listed = await api.get(path, { key: b.key });
      expect(listed.status).toBe(200);
      expect(JSON.stringify(listed.body)).not.toContain(a.clusterId);
      expect(JSON.stringify(listed.body)).not.toContain(a.keyId);
      expect(JSON.stringify(listed.body)).not.toContain(a.memberId);
      expect(JSON.stringify(listed.body)).not.toContain(a.inviteId);
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
    ).then(
      () => undefined,
      (error: Error & { cause?: Error }) => error.cause?.message ?? error.message,
    );
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
