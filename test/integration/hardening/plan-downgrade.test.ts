// A plan downgrade is checked against every limit the plan carries (issue 10): a tenant on the team
// plan storing more clusters, a larger policy, more match terms, a larger network set and a faster
// BandwidthPolicy than the free plan allows is refused one 422 naming each exceeded limit with its
// usage, stays on its plan, and moves once it has shrunk below every limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLANS } from '../../../policy/plan/limits.ts';
import { type ApiClient, apiClient, createCluster, createPolicy, networkPolicy, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

describe('plan downgrade', () => {
  let control: TestControlPlane;
  let api: ApiClient;

  beforeAll(async () => {
    control = await startTestControlPlane('postgres');
    api = apiClient(control.url);
  });
  afterAll(() => control?.stop());

  it('refuses a downgrade naming every limit the stored objects exceed, then allows it once they fit', async () => {
    const { key } = await signUp(api, 'team');
    const free = PLANS.free;
    const clusterIds: string[] = [];
    for (let i = 0; i <= free.clusters; i++) clusterIds.push((await createCluster(api, key)).id);
    const [cluster] = clusterIds as [string];

    // Over rulesPerPolicy (101 rules) and, at 10 ports a rule, over rulesPerEndpoint (1,010 terms).
    const rules = free.rulesPerPolicy + 1;
    const large = await createPolicy(
      api,
      key,
      cluster,
      networkPolicy('large', 'shop', {
        podSelector: {},
        ingress: Array.from({ length: rules }, (_, index) => ({
          from: [{ ipBlock: { cidr: `10.1.${index}.0/24` } }],
          ports: Array.from({ length: 10 }, (_, port) => ({ protocol: 'TCP', port: 1000 + port })),
        })),
      }),
    );
    const cidrs = free.cidrsPerSet + 1;
    const networkSet = await createPolicy(api, key, cluster, {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkSet',
      metadata: { name: 'partners', namespace: 'shop' },
      spec: { nets: Array.from({ length: cidrs }, (_, index) => `10.2.${index >> 8}.${index & 255}/32`) },
    });
    const rate = free.bandwidthCeilingBitsPerSecond * 2;
    const bandwidth = await createPolicy(api, key, cluster, {
      apiVersion: 'policy.palisade.dev/v1alpha1',
      kind: 'BandwidthPolicy',
      metadata: { name: 'fast', namespace: 'shop' },
      spec: { podSelector: {}, egress: { rate: String(rate) } },
    });

    const refused = await api.put('/v1/tenant/plan', { key, body: { plan: 'free' } });
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.code).toBe('LIMIT_EXCEEDED');
    expect(refused.body.exceeded).toEqual([
      { limit: 'clusters', usage: free.clusters + 1, allowed: free.clusters },
      { limit: 'rulesPerPolicy', usage: rules, allowed: free.rulesPerPolicy },
      { limit: 'rulesPerEndpoint', usage: rules * 10, allowed: free.rulesPerEndpoint },
      { limit: 'cidrsPerSet', usage: cidrs, allowed: free.cidrsPerSet },
      { limit: 'bandwidthCeilingBitsPerSecond', usage: rate, allowed: free.bandwidthCeilingBitsPerSecond },
    ]);
    expect(refused.body.errors).toHaveLength(5);
    for (const error of refused.body.errors) expect(error.path).toBe('plan');
    expect(refused.body.errors[2].message).toContain('NetworkPolicy shop/large');
    expect(refused.body.errors[3].message).toContain('NetworkSet shop/partners');
    expect((await api.get('/v1/tenant', { key })).body).toMatchObject({ plan: 'team', limits: PLANS.team });

    // Shrinking some leaves only the others named.
    expect((await api.delete(`/v1/clusters/${clusterIds.at(-1)}`, { key })).status).toBe(204);
    expect((await api.delete(`/v1/policies/${large.id}`, { key })).status).toBe(204);
    const fewer = await api.put('/v1/tenant/plan', { key, body: { plan: 'free' } });
    expect(fewer.status).toBe(422);
    expect(fewer.body.exceeded.map((limit: { limit: string }) => limit.limit)).toEqual(['cidrsPerSet', 'bandwidthCeilingBitsPerSecond']);

    expect((await api.delete(`/v1/policies/${networkSet.id}`, { key })).status).toBe(204);
    expect((await api.delete(`/v1/policies/${bandwidth.id}`, { key })).status).toBe(204);
    const moved = await api.put('/v1/tenant/plan', { key, body: { plan: 'free' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ plan: 'free', limits: free });
  });
});
