// Calico and network-policy-api objects through the API: tiers must exist before their policies and
// cannot go while they hold any; a Calico and a Kubernetes NetworkPolicy of the same name coexist; the
// bundle orders tiers as Calico does.
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createAgentToken, networkPolicy } from '../../support/api-client.ts';
import { waitForRevision } from '../../support/bundles.ts';
import type { TestControlPlane } from '../../support/control-plane.ts';
import { startWithTenantCluster } from '../../support/tenant-with-cluster.ts';

const securityTier = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
`;
const calicoPolicy = (tier: string) => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: ${tier}.web, namespace: shop}
spec:
  tier: ${tier}
  order: 10
  selector: app == 'web'
  types: [Ingress]
  ingress:
  - action: Pass
    source: {selector: role == 'monitoring'}
  - action: Deny
`;
const adminPolicy = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: isolate-sensitive}
spec:
  priority: 5
  subject: {namespaces: {matchLabels: {sensitive: "true"}}}
  ingress:
  - name: deny-all
    action: Deny
    from: [{namespaces: {}}]
`;

describe('Calico and admin kinds through the API', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let clusterId: string;

  const apply = (yaml: string) => api.post(`/v1/apply?cluster=${clusterId}`, { key, raw: yaml, contentType: 'application/yaml' });

  beforeAll(async () => {
    ({ control, api, key, clusterId } = await startWithTenantCluster('pglite'));
  });
  afterAll(() => control?.stop());

  it('refuses a policy in a tier that does not exist, naming spec.tier', async () => {
    const refused = await apply(calicoPolicy('security'));
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].path).toBe('spec.tier');
  });

  it('accepts the tier and its policy together, and orders the bundle by tier', async () => {
    const token = await createAgentToken(api, key, clusterId);
    const applied = await apply(`${securityTier}---\n${calicoPolicy('security')}---\n${adminPolicy}`);
    expect(applied.status).toBe(200);
    expect(applied.body.results.map((result: { kind: string; action: string }) => `${result.kind}:${result.action}`)).toEqual([
      'Tier:created',
      'NetworkPolicy:created',
      'AdminNetworkPolicy:created',
    ]);
    const kubernetes = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: networkPolicy('security.web', 'shop') });
    expect(kubernetes.status).toBe(201);

    const bundle = await waitForRevision(api, token, 3);
    const claims = jose.decodeJwt(bundle.jws) as unknown as { policy: { tiers: { name: string; order: number; policies: { id: string }[] }[] } };
    const tiers = claims.policy.tiers.filter((tier) => tier.policies.length > 0).map((tier) => tier.name);
    expect(tiers).toEqual(['security', 'adminnetworkpolicy', 'default'].sort((a, b) => order(claims, a) - order(claims, b)));
    expect(order(claims, 'security')).toBe(100);
  });

  it('will not delete a tier that still holds a policy', async () => {
    const tiers = await api.get(`/v1/clusters/${clusterId}/policies?kind=Tier`, { key });
    const refused = await api.delete(`/v1/policies/${tiers.body.items[0].id}`, { key });
    expect(refused.status).toBe(409);
    expect((await api.get(`/v1/policies/${tiers.body.items[0].id}`, { key })).status).toBe(200);
  });
});

function order(claims: { policy: { tiers: { name: string; order: number }[] } }, name: string): number {
  return claims.policy.tiers.find((tier) => tier.name === name)!.order;
}
