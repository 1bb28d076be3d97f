// BandwidthPolicy through the API, and the plan limits issue 5 adds: bad quantities refused with the
// field and the reason (single writes and apply), rates above the tenant's ceiling, network sets over
// cidrsPerSet, rules per endpoint after expansion over the reported inventory; and the bundle
// carrying bandwidth policies and the plan's limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleLimitsOf } from '../../../policy/plan/bundle-limits.ts';
import { PLANS } from '../../../policy/plan/limits.ts';
import { type ApiClient, apiClient, createAgentToken, createCluster, networkPolicy, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

function bandwidthPolicy(name: string, spec: Record<string, unknown>) {
  return { apiVersion: 'policy.palisade.dev/v1alpha1', kind: 'BandwidthPolicy', metadata: { name, namespace: 'shop' }, spec: { podSelector: {}, ...spec } };
}

const bandwidthYaml = (rate: string) => `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: fine, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: policy.palisade.dev/v1alpha1
kind: BandwidthPolicy
metadata: {name: batch, namespace: shop}
spec:
  podSelector: {matchLabels: {app: batch}}
  ingress: {rate: "${rate}"}
`;

/** A NetworkPolicy whose `rules` ingress rules (one port each) all select every pod of shop. */
const widePolicy = (name: string, rules: number) =>
  networkPolicy(name, 'shop', { podSelector: {}, policyTypes: ['Ingress'], ingress: Array.from({ length: rules }, (_, i) => ({ ports: [{ port: i + 1 }] })) });

describe('bandwidth limits and plan limits through the API', () => {
  let control: TestControlPlane;
  let api: ApiClient;

  beforeAll(async () => {
    control = await startTestControlPlane('postgres');
    api = apiClient(control.url);
  });
  afterAll(() => control?.stop());

  async function tenantWithCluster() {
    const { key } = await signUp(api);
    const cluster = await createCluster(api, key);
    return { key, clusterId: cluster.id };
  }

  it('accepts a BandwidthPolicy, stores it with its scope defaulted, and shows the plan limits', async () => {
    const { key, clusterId } = await tenantWithCluster();
    const created = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: bandwidthPolicy('web', { egress: { rate: '50M' } }) });
    expect(created.status).toBe(201);
    expect(created.body.manifestWithDefaults.spec).toEqual({ podSelector: {}, scope: 'Pod', egress: { rate: '50M' } });
    expect(created.body.manifest.spec.scope).toBeUndefined();
    expect((await api.get('/v1/tenant', { key })).body.limits).toEqual(PLANS.free);
  });

  it('refuses negative, zero, unparseable and absurd rates with 422 naming the field and why', async () => {
    const { key, clusterId } = await tenantWithCluster();
    const cases = [
      ['-5M', 'must not be negative'],
      ['0', 'must be greater than zero'],
      ['5 Mbit/s', 'must be a quantity such as 10M'],
      ['5P', 'is unreasonably large (more than 1P bit/s)'],
      ['100', 'is unreasonably small (less than 1k bit/s)'],
    ];
    for (const [rate, why] of cases) {
      const response = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: bandwidthPolicy('bad', { egress: { rate } }) });
      expect(response.status, rate).toBe(422);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors).toEqual([{ path: 'spec.egress.rate', message: expect.stringContaining(why!) }]);
    }
    const badBurst = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: bandwidthPolicy('bad', { ingress: { rate: '1M', burst: '-1' } }) });
    expect(badBurst.body.errors).toEqual([{ path: 'spec.ingress.burst', message: 'Invalid value: "-1": must not be negative' }]);
    expect((await api.get(`/v1/clusters/${clusterId}/policies`, { key })).body.items).toEqual([]);
  });

  it('refuses a bad rate in /v1/apply at the document and field, and writes nothing', async () => {
    const { key, clusterId } = await tenantWithCluster();
    const response = await api.post(`/v1/apply?cluster=${clusterId}`, { key, raw: bandwidthYaml('fast'), contentType: 'application/yaml' });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([{ path: '1.spec.ingress.rate', message: expect.stringMatching(/^Invalid value: "fast": must be a quantity/) }]);
    const fine = await api.post(`/v1/apply?cluster=${clusterId}`, { key, raw: bandwidthYaml('20M'), contentType: 'application/yaml' });
    expect(fine.status).toBe(200);
    expect(fine.body.results.map((r: { kind: string; action: string }) => [r.kind, r.action])).toEqual([
      ['NetworkPolicy', 'created'],
      ['BandwidthPolicy', 'created'],
    ]);
  });

  it("refuses a rate above the tenant's bandwidth ceiling, naming limit, usage, asked value and field", async () => {
    const { key, clusterId } = await tenantWithCluster(); // free plan: 1 Gbit/s
    const over = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: bandwidthPolicy('greedy', { egress: { rate: '2G' } }) });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'bandwidthCeilingBitsPerSecond', usage: 0, requested: 2_000_000_000 });
    expect(over.body.errors).toEqual([
      { path: 'spec.egress.rate', message: expect.stringContaining('plan limit bandwidthCeilingBitsPerSecond is 1000000000') },
    ]);
    const applied = await api.post(`/v1/apply?cluster=${clusterId}`, { key, raw: bandwidthYaml('1.5G'), contentType: 'application/yaml' });
    expect(applied.status).toBe(422);
    expect(applied.body).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'bandwidthCeilingBitsPerSecond', requested: 1_500_000_000 });
    expect(applied.body.errors[0].path).toBe('1.spec.ingress.rate');
    expect((await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: bandwidthPolicy('at-ceiling', { egress: { rate: '1G' } }) })).status).toBe(201);
  });

  it('refuses a network set with more CIDRs than cidrsPerSet', async () => {
    const { key, clusterId } = await tenantWithCluster(); // free plan: 1,000
    const nets = (n: number) => Array.from({ length: n }, (_, i) => `10.${Math.floor(i / 256)}.${i % 256}.0/24`);
    const set = (name: string, n: number) => ({
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkSet',
      metadata: { name, namespace: 'shop' },
      spec: { nets: nets(n) },
    });
    const over = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: set('big', 1_001) });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'cidrsPerSet', usage: 0, requested: 1_001 });
    expect(over.body.errors[0].path).toBe('spec.nets');
    expect((await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: set('full', 1_000) })).status).toBe(201);
  });

  it('refuses a write after which a pod would evaluate more rules than rulesPerEndpoint, once an inventory is reported', async () => {
    const { key, clusterId } = await tenantWithCluster(); // free plan: 1,000 per endpoint, 100 per policy
    const token = await createAgentToken(api, key, clusterId);
    // Before any inventory nothing can be expanded: the write passes (the agent checks later).
    const apply = (docs: unknown[]) => api.post(`/v1/apply?cluster=${clusterId}`, { key, body: docs });
    expect((await apply(Array.from({ length: 10 }, (_, i) => widePolicy(`wide-${i}`, 100)))).status).toBe(200);

    const inventory = {
      namespaces: [{ name: 'shop' }],
      endpoints: [{ namespace: 'shop', name: 'web', labels: { app: 'web' }, ipv4: ['198.18.0.10'], hostInterface: 'veth0' }],
    };
    expect((await api.put('/v1/agent/inventory?nodeName=node-a', { key: token, body: inventory })).status).toBe(200);

    const over = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: widePolicy('one-more', 1) });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'rulesPerEndpoint', usage: 1_000, requested: 1_001 });
    expect(over.body.detail).toContain('pod shop/web would evaluate 1001 rules for ingress');
    const viaApply = await apply([widePolicy('one-more', 1)]);
    expect(viaApply.status).toBe(422);
    expect(viaApply.body).toMatchObject({ limit: 'rulesPerEndpoint', requested: 1_001 });

    // A replacement that keeps the count is fine, one that adds a rule is not.
    const stored = (await api.get(`/v1/clusters/${clusterId}/policies?name=wide-0`, { key })).body.items[0];
    expect((await api.put(`/v1/policies/${stored.id}`, { key, body: widePolicy('wide-0', 99) })).status).toBe(200);
    expect((await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: widePolicy('one-more', 1) })).status).toBe(201);
    const grow = await api.put(`/v1/policies/${stored.id}`, { key, body: widePolicy('wide-0', 100) });
    expect(grow.status).toBe(422);
    expect(grow.body).toMatchObject({ limit: 'rulesPerEndpoint', usage: 1_000, requested: 1_001 });
    // A pod the policies do not select is not counted.
    const other = await api.post(`/v1/clusters/${clusterId}/policies`, {
      key,
      body: networkPolicy('elsewhere', 'lab', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 1 }] }] }),
    });
    expect(other.status).toBe(201);
  });

  it("carries bandwidth policies and the plan's limits in the bundle", async () => {
    const { key, clusterId } = await tenantWithCluster();
    const token = await createAgentToken(api, key, clusterId);
    await api.post(`/v1/clusters/${clusterId}/policies`, {
      key,
      body: bandwidthPolicy('web', { podSelector: { matchLabels: { app: 'web' } }, scope: 'Namespace', egress: { rate: '50M', burst: '4Mi' } }),
    });
    // The cluster's first bundle may predate the write: follow revisions until one carries it.
    const deadline = Date.now() + 10_000;
    let policy: Record<string, any> | undefined;
    let etag: string | undefined;
    while (Date.now() < deadline && !policy?.bandwidthPolicies) {
      const response = await api.get('/v1/agent/bundle?wait=2', { key: token, headers: etag ? { 'if-none-match': etag } : {} });
      if (response.status !== 200) continue;
      etag = response.headers.get('etag') ?? undefined;
      policy = JSON.parse(Buffer.from(response.text.split('.')[1]!, 'base64url').toString('utf8')).policy;
    }
    expect(policy).toBeDefined();
    expect(policy!.limits).toEqual(bundleLimitsOf(PLANS.free));
    expect(policy!.bandwidthPolicies).toEqual([
      {
        id: 'BandwidthPolicy/shop/web',
        namespace: 'shop',
        name: 'web',
        subject: { namespaceSelector: { op: 'eq', key: 'kubernetes.io/metadata.name', value: 'shop' }, podSelector: { op: 'eq', key: 'app', value: 'web' } },
        scope: 'Namespace',
        egress: { rateBitsPerSecond: 50_000_000, burstBytes: 512 * 1024 },
      },
    ]);
  });
});
