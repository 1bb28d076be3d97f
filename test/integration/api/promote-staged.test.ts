// Promoting a staged policy enforces it: Set creates or replaces the policy it stages, Delete removes
// it, and the staged object is gone either way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../support/api-client.ts';
import type { TestControlPlane } from '../../support/control-plane.ts';
import { startWithTenantCluster } from '../../support/tenant-with-cluster.ts';

const stagedK8s = (stagedAction: 'Set' | 'Delete') => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'StagedKubernetesNetworkPolicy',
  metadata: { name: 'deny-web', namespace: 'shop' },
  spec: stagedAction === 'Set' ? { stagedAction, podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] } : { stagedAction },
});

describe('POST /v1/policies/{id}/promote', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let clusterId: string;

  beforeAll(async () => {
    ({ control, api, key, clusterId } = await startWithTenantCluster('pglite'));
  });
  afterAll(() => control?.stop());

  const names = async () =>
    (await api.get(`/v1/clusters/${clusterId}/policies`, { key })).body.items.map(
      (item: { apiVersion: string; kind: string; name: string }) => `${item.apiVersion} ${item.kind} ${item.name}`,
    );

  it('turns a staged Kubernetes policy into the NetworkPolicy it stages', async () => {
    const staged = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: stagedK8s('Set') });
    expect(staged.status).toBe(201);
    const promoted = await api.post(`/v1/policies/${staged.body.id}/promote`, { key });
    expect(promoted.status).toBe(200);
    expect(promoted.body.enforced.manifest).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: { policyTypes: ['Ingress'] } });
    expect(promoted.body.enforced.manifest.spec.stagedAction).toBeUndefined();
    expect(await names()).toEqual(['networking.k8s.io/v1 NetworkPolicy deny-web']);
    expect((await api.get(`/v1/policies/${staged.body.id}`, { key })).status).toBe(404);
  });

  it('removes the enforced policy when the staged action is Delete', async () => {
    const staged = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: stagedK8s('Delete') });
    const promoted = await api.post(`/v1/policies/${staged.body.id}/promote`, { key });
    expect(promoted.status).toBe(200);
    expect(promoted.body.enforced).toBeNull();
    expect(promoted.body.deleted).toEqual(expect.any(String));
    expect(await names()).toEqual([]);
  });

  it('refuses to promote a policy that is not staged', async () => {
    const plain = await api.post(`/v1/clusters/${clusterId}/policies`, {
      key,
      body: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'plain', namespace: 'shop' }, spec: { podSelector: {} } },
    });
    const refused = await api.post(`/v1/policies/${plain.body.id}/promote`, { key });
    expect(refused.status).toBe(409);
  });
});
