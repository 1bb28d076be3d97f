// A policy write sends its row and its audit entry together (api/services/policies/write.ts), so the
// entry is made from the row as the write leaves it rather than from the row the write returns. What a
// user sees stays the same: each entry's before and after are the policy exactly as reads give it, a
// refused write leaves neither row nor entry, and an ETag still moves on with every change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, createCluster, networkPolicy, signUp, unique } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

describe('audit entries of policy writes', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let clusterId: string;

  beforeAll(async () => {
    control = await startTestControlPlane('postgres');
    api = apiClient(control.url);
    ({ key } = await signUp(api));
    clusterId = (await createCluster(api, key)).id;
  });
  afterAll(() => control?.stop());

  const historyOf = async (id: string) => {
    const response = await api.get(`/v1/audit-events?resourceType=policy&resourceId=${id}`, { key });
    expect(response.status).toBe(200);
    return response.body.items as { action: string; before: unknown; after: unknown }[];
  };
  const read = async (id: string) => {
    const response = await api.get(`/v1/policies/${id}`, { key });
    expect(response.status).toBe(200);
    return { policy: response.body, etag: response.headers.get('etag') };
  };
  const apply = (documents: unknown[]) =>
    api.post(`/v1/apply?cluster=${clusterId}`, {
      key,
      raw: documents.map((document) => JSON.stringify(document)).join('\n---\n'),
      contentType: 'application/yaml',
    });

  it('records a create and each edit as the policy reads before and after', async () => {
    const name = unique('np');
    const created = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: networkPolicy(name) });
    expect(created.status).toBe(201);
    const first = await read(created.body.id);
    const edited = await apply([networkPolicy(name, 'default', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] })]);
    expect(edited.status).toBe(200);
    expect(edited.body.results[0]).toMatchObject({ action: 'configured', id: created.body.id });
    const second = await read(created.body.id);
    expect(second.etag).not.toBe(first.etag);

    const [update, create] = await historyOf(created.body.id);
    expect(create).toMatchObject({ action: 'create', before: null, after: first.policy });
    expect(update).toMatchObject({ action: 'update', before: first.policy, after: second.policy });
  });

  it('records every object of a multi-document apply, each as it reads', async () => {
    const names = [unique('a'), unique('b'), unique('c')];
    const applied = await apply(names.map((name) => networkPolicy(name)));
    expect(applied.status).toBe(200);
    for (const result of applied.body.results as { id: string; action: string }[]) {
      expect(result.action).toBe('created');
      const { policy } = await read(result.id);
      expect(await historyOf(result.id)).toEqual([expect.objectContaining({ action: 'create', after: policy })]);
    }
  });

  it('leaves no row and no entry when a create finds the name taken', async () => {
    const name = unique('taken');
    const created = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: networkPolicy(name) });
    expect(created.status).toBe(201);
    const before = await api.get(`/v1/audit-events?resourceType=policy`, { key });
    const again = await api.post(`/v1/clusters/${clusterId}/policies`, {
      key,
      body: networkPolicy(name, 'default', { podSelector: { matchLabels: { a: 'b' } } }),
    });
    expect(again.status).toBe(409);
    const after = await api.get(`/v1/audit-events?resourceType=policy`, { key });
    expect(after.body.items).toEqual(before.body.items);
    expect((await read(created.body.id)).policy.manifest).toEqual(networkPolicy(name));
  });

  it('records a delete with the policy as it last read', async () => {
    const created = await api.post(`/v1/clusters/${clusterId}/policies`, { key, body: networkPolicy(unique('gone')) });
    const { policy } = await read(created.body.id);
    expect((await api.delete(`/v1/policies/${created.body.id}`, { key })).status).toBe(204);
    const [deleted] = await historyOf(created.body.id);
    expect(deleted).toMatchObject({ action: 'delete', before: policy, after: null });
  });
});
