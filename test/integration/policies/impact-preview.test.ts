// Impact preview: a dry run (apply, single create, single replace) with impact=true evaluates the
// cluster's observed flows against the would-be policy set with the reference evaluator, and answers
// with the flows whose verdict would change, grouped by source and destination workload and port,
// with counts and the rule that would decide. Nothing is written; bad parameters are refused naming
// the parameter; and a staged policy's pending verdicts agree with the preview of enforcing it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowLogEntry } from '../../../policy/flow-log.ts';
import type { InventoryInput } from '../../../policy/inventory.ts';
import { type ApiClient, createAgentToken, createCluster, signUp } from '../../support/api-client.ts';
import type { TestControlPlane } from '../../support/control-plane.ts';
import { startWithTenantCluster } from '../../support/tenant-with-cluster.ts';

const inventory: InventoryInput = {
  namespaces: [{ name: 'shop' }],
  endpoints: [
    { namespace: 'shop', name: 'web-5c8d7b9f4-xk2lp', labels: { app: 'web' }, ipv4: ['198.18.0.1'] },
    { namespace: 'shop', name: 'web-5c8d7b9f4-qz7rt', labels: { app: 'web' }, ipv4: ['198.18.0.2'] },
    { namespace: 'shop', name: 'db-0', labels: { app: 'db' }, ipv4: ['198.18.0.10'] },
    { namespace: 'shop', name: 'cache-8k2nt', labels: { app: 'cache' }, ipv4: ['198.18.0.20'] },
  ],
};

const HOUR = 3_600_000;

const dbFrom = (app: string) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'db-ingress', namespace: 'shop' },
  spec: {
    podSelector: { matchLabels: { app: 'db' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { app } } }], ports: [{ port: 5432 }] }],
  },
});

const webEgressLockdown = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'web-egress', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 5432 }] }] },
};

function flow(overrides: Partial<FlowLogEntry> & Pick<FlowLogEntry, 'endpoint' | 'direction' | 'remote' | 'port' | 'kind'>, endTime: Date): FlowLogEntry {
  return {
    startTime: new Date(endTime.getTime() - 15_000).toISOString(),
    endTime: endTime.toISOString(),
    protocol: 6,
    rule: null,
    count: 1,
    bytes: 60,
    ...overrides,
  };
}

describe('impact preview', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let clusterId: string;
  let token: string;
  let dbPolicyId: string;

  beforeAll(async () => {
    ({ control, api, key, clusterId } = await startWithTenantCluster('postgres'));
    token = await createAgentToken(api, key, clusterId);
    expect((await api.put('/v1/agent/inventory?nodeName=node-1', { key: token, body: inventory })).status).toBe(200);
    const created = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: dbFrom('web') });
    expect(created.status).toBe(201);
    dbPolicyId = created.body.id;

    const recent = new Date(Date.now() - HOUR);
    const entries: FlowLogEntry[] = [
      // Two web pods reach the database (allowed, in two rows for one of them), the cache is refused.
      flow({ endpoint: 'shop/db-0', direction: 'ingress', remote: '198.18.0.1', port: 5432, kind: 'allowed', count: 5 }, recent),
      flow({ endpoint: 'shop/db-0', direction: 'ingress', remote: '198.18.0.1', port: 5432, kind: 'allowed', count: 2 }, new Date(recent.getTime() + 60_000)),
      flow({ endpoint: 'shop/db-0', direction: 'ingress', remote: '198.18.0.2', port: 5432, kind: 'allowed', count: 3 }, recent),
      flow({ endpoint: 'shop/db-0', direction: 'ingress', remote: '198.18.0.20', port: 5432, kind: 'denied', count: 4 }, recent),
      // A web pod calls out to the internet and to the database; a Log rule's row repeats a flow.
      flow({ endpoint: 'shop/web-5c8d7b9f4-xk2lp', direction: 'egress', remote: '203.0.113.9', port: 443, kind: 'allowed', count: 7 }, recent),
      flow({ endpoint: 'shop/web-5c8d7b9f4-xk2lp', direction: 'egress', remote: '198.18.0.10', port: 5432, kind: 'allowed', count: 6 }, recent),
      flow({ endpoint: 'shop/web-5c8d7b9f4-xk2lp', direction: 'egress', remote: '203.0.113.9', port: 443, kind: 'logged', count: 7 }, recent),
      // Older than the default day: only a longer `since` sees it.
      flow(
        { endpoint: 'shop/web-5c8d7b9f4-qz7rt', direction: 'egress', remote: '203.0.113.50', port: 80, kind: 'allowed', count: 9 },
        new Date(Date.now() - 30 * HOUR),
      ),
    ];
    expect((await api.post('/v1/agent/flows', { key: token, body: { nodeName: 'node-1', entries } })).status).toBe(204);
  });
  afterAll(() => control?.stop());

  const policiesStored = async () => (await api.get(`/v1/clusters/${clusterId}/policies`, { key })).body.items;

  it('finds flows that flip both ways on a dry-run apply, grouped by workload and port, and writes nothing', async () => {
    const before = await policiesStored();
    const response = await api.post(`/v1/apply?cluster=${clusterId}&dryRun=true&impact=true`, { key, body: [dbFrom('cache')] });
    expect(response.status).toBe(200);
    expect(response.body.results).toMatchObject([{ action: 'configured', name: 'db-ingress' }]);
    const { impact } = response.body;
    expect(impact.changes).toEqual([
      {
        change: 'allowToDeny',
        direction: 'ingress',
        source: 'shop/web-*',
        destination: 'shop/db-0',
        protocol: 6,
        port: 5432,
        count: 10,
        flows: 2,
        decidedBy: { tier: 'default', policy: expect.stringContaining('db-ingress'), ruleIndex: 'default', action: 'Deny' },
      },
      {
        change: 'denyToAllow',
        direction: 'ingress',
        source: 'shop/cache-*',
        destination: 'shop/db-0',
        protocol: 6,
        port: 5432,
        count: 4,
        flows: 1,
        decidedBy: { tier: 'default', policy: expect.stringContaining('db-ingress'), ruleIndex: 0, action: 'Allow' },
      },
    ]);
    expect(impact.totals).toEqual({ allowToDeny: 10, denyToAllow: 4 });
    // Only the database's ingress changes: its three distinct flows are evaluated, nothing else.
    expect(impact).toMatchObject({ flowsEvaluated: 3, unresolved: 0 });
    expect(impact.sampled).toBeUndefined();
    expect(await policiesStored()).toEqual(before);
  });

  it('answers an empty impact for a set that does not change', async () => {
    const response = await api.post(`/v1/apply?cluster=${clusterId}&dryRun=true&impact=true`, { key, body: [dbFrom('web')] });
    expect(response.status).toBe(200);
    expect(response.body.results).toMatchObject([{ action: 'unchanged' }]);
    expect(response.body.impact).toMatchObject({ changes: [], totals: { allowToDeny: 0, denyToAllow: 0 }, flowsEvaluated: 0 });
  });

  it('previews a single create and a single replace, and looks as far back as `since` says', async () => {
    const create = await api.post(`/v1/clusters/${clusterId}/policies?dryRun=true&impact=true`, { key, body: webEgressLockdown });
    expect(create.status).toBe(200);
    expect(create.body).toMatchObject({ dryRun: true, kind: 'NetworkPolicy', namespace: 'shop', name: 'web-egress' });
    expect(create.body.impact.changes).toEqual([
      expect.objectContaining({ change: 'allowToDeny', direction: 'egress', source: 'shop/web-*', destination: '203.0.113.9', port: 443, count: 7 }),
    ]);
    const longer = await api.post(`/v1/clusters/${clusterId}/policies?dryRun=true&impact=true&since=48h`, { key, body: webEgressLockdown });
    expect(longer.body.impact.changes.map((change: { destination: string }) => change.destination)).toEqual(['203.0.113.50', '203.0.113.9']);
    expect((await policiesStored()).map((policy: { name: string }) => policy.name)).toEqual(['db-ingress']);

    const replace = await api.put(`/v1/policies/${dbPolicyId}?dryRun=true&impact=true&since=2h`, { key, body: dbFrom('cache') });
    expect(replace.status).toBe(200);
    expect(replace.body.impact.totals).toEqual({ allowToDeny: 10, denyToAllow: 4 });
    expect((await api.get(`/v1/policies/${dbPolicyId}`, { key })).body.manifest.spec.ingress[0].from[0].podSelector.matchLabels).toEqual({ app: 'web' });
  });

  it('refuses bad parameters naming them, and writes nothing', async () => {
    const cases: [string, string][] = [
      [`/v1/apply?cluster=${clusterId}&impact=true`, 'query.impact'],
      [`/v1/apply?cluster=${clusterId}&dryRun=true&impact=true&since=yesterday`, 'query.since'],
      [`/v1/apply?cluster=${clusterId}&dryRun=true&impact=true&since=2000h`, 'query.since'],
      [`/v1/apply?cluster=${clusterId}&dryRun=true&impact=true&since=2999-01-01T00:00:00Z`, 'query.since'],
      [`/v1/apply?cluster=${clusterId}&dryRun=true&since=6h`, 'query.since'],
      [`/v1/apply?cluster=${clusterId}&dryRun=true&impact=maybe`, 'query.impact'],
      [`/v1/clusters/${clusterId}/policies?impact=true`, 'query.impact'],
    ];
    for (const [path, field] of cases) {
      const response = await api.post(path, { key, body: path.includes('/apply') ? [dbFrom('cache')] : webEgressLockdown });
      expect(response.status, path).toBe(422);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(field);
    }
    const replace = await api.put(`/v1/policies/${dbPolicyId}?impact=true`, { key, body: dbFrom('cache') });
    expect(replace.status).toBe(422);
    expect(replace.body.errors[0].path).toBe('query.impact');
    expect((await policiesStored()).map((policy: { name: string }) => policy.name)).toEqual(['db-ingress']);
  });

  it("agrees with a staged policy's pending verdicts on the same flows", async () => {
    const owner = await signUp(api);
    const cluster = (await createCluster(api, owner.key)).id;
    const agent = await createAgentToken(api, owner.key, cluster);
    expect((await api.put('/v1/agent/inventory?nodeName=node-1', { key: agent, body: inventory })).status).toBe(200);
    const spec = {
      selector: "app == 'db'",
      types: ['Ingress'],
      ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: "app == 'cache'" }, destination: { ports: [5432] } }],
    };
    const staged = { apiVersion: 'projectcalico.org/v3', kind: 'StagedNetworkPolicy', metadata: { name: 'db-lockdown', namespace: 'shop' }, spec };
    expect((await api.post(`/v1/clusters/${cluster}/policies`, { key: owner.key, body: staged })).status).toBe(201);

    // What the staged policy would decide for each client of the database, as the cluster's bundle says
    // (explain's staged verdict), recorded as the agent records it: the enforced verdict and the pending one.
    const clients = [
      { name: 'shop/web-5c8d7b9f4-xk2lp', ip: '198.18.0.1' },
      { name: 'shop/web-5c8d7b9f4-qz7rt', ip: '198.18.0.2' },
      { name: 'shop/cache-8k2nt', ip: '198.18.0.20' },
    ];
    const pending = new Map<string, 'allow' | 'deny'>();
    for (const client of clients) {
      const explain = async () =>
        (await api.get(`/v1/clusters/${cluster}/explain?from=${client.name}&to=shop/db-0&port=5432`, { key: owner.key })).body.ingress?.stagedVerdict;
      await expect.poll(explain, { timeout: 15_000 }).toBeDefined();
      pending.set(client.ip, await explain());
    }
    expect([...pending.values()].sort()).toEqual(['allow', 'deny', 'deny']);
    const recent = new Date(Date.now() - HOUR);
    const entries = clients.map((client) =>
      flow(
        { endpoint: 'shop/db-0', direction: 'ingress', remote: client.ip, port: 5432, kind: 'allowed', count: 2, pendingVerdict: pending.get(client.ip)! },
        recent,
      ),
    );
    expect((await api.post('/v1/agent/flows', { key: agent, body: { nodeName: 'node-1', entries } })).status).toBe(204);
    const wouldBreak = (await api.get(`/v1/clusters/${cluster}/flows?pendingVerdict=deny`, { key: owner.key })).body.items;

    // Enforcing the same spec: the preview flips exactly the flows whose pending verdict differs.
    const enforced = { ...staged, kind: 'NetworkPolicy' };
    const preview = await api.post(`/v1/apply?cluster=${cluster}&dryRun=true&impact=true`, { key: owner.key, body: [enforced] });
    expect(preview.status).toBe(200);
    const flipped = preview.body.impact.changes;
    expect(flipped).toEqual([
      expect.objectContaining({ change: 'allowToDeny', source: 'shop/web-*', destination: 'shop/db-0', port: 5432, flows: wouldBreak.length }),
    ]);
    expect(wouldBreak.map((row: { remote: string }) => row.remote).sort()).toEqual(['198.18.0.1', '198.18.0.2']);
    expect(preview.body.impact.totals).toEqual({ allowToDeny: 2 * wouldBreak.length, denyToAllow: 0 });
  });

  it('documents the parameters and the impact in the OpenAPI document', async () => {
    const doc = (await api.get('/openapi.json')).body;
    for (const [path, method] of [
      ['/v1/apply', 'post'],
      ['/v1/clusters/{id}/policies', 'post'],
      ['/v1/policies/{id}', 'put'],
    ] as const) {
      const names = doc.paths[path][method].parameters.map((parameter: { name: string }) => parameter.name);
      expect(names).toEqual(expect.arrayContaining(['dryRun', 'impact', 'since']));
    }
    expect(doc.components.schemas.Impact.properties).toHaveProperty('sampled');
    expect(doc.components.schemas.PolicyDryRun.properties).toHaveProperty('impact');
  });
});
