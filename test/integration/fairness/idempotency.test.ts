// Idempotency-Key: the key names one request (method, path, query, body); reusing it for another is
// refused naming the difference, a replay gives back the first answer's status, headers and body, and
// fifty concurrent requests with one key get one write and fifty identical answers on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, createCluster, networkPolicy, signUp, unique } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

describe.each(['postgres', 'pglite'] as const)('Idempotency-Key on %s', (flavour) => {
  let control: TestControlPlane;
  let api: ApiClient;

  beforeAll(async () => {
    control = await startTestControlPlane(flavour);
    api = apiClient(control.url);
  });
  afterAll(() => control?.stop());

  it('refuses the key with another query (dryRun, cluster) and writes nothing through a replay', async () => {
    const { key } = await signUp(api);
    const [first, second] = [await createCluster(api, key), await createCluster(api, key)];
    const headers = { 'idempotency-key': unique('apply') };
    const raw = JSON.stringify(networkPolicy('np-query'));
    const dryRun = await api.post(`/v1/apply?cluster=${first.id}&dryRun=true`, { key, raw, headers });
    expect(dryRun.status).toBe(200);
    const applied = await api.post(`/v1/apply?cluster=${first.id}&dryRun=false`, { key, raw, headers });
    expect(applied.status).toBe(422);
    expect(applied.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(applied.body.errors.map((error: { path: string }) => error.path)).toEqual(['query']);
    const otherCluster = await api.post(`/v1/apply?cluster=${second.id}&dryRun=true`, { key, raw, headers });
    expect(otherCluster.status).toBe(422);
    expect(otherCluster.body.detail).toContain('query');
    for (const cluster of [first, second]) expect((await api.get(`/v1/clusters/${cluster.id}/policies`, { key })).body.items).toEqual([]);
    // The same query in another order is the same request.
    const reordered = await api.post(`/v1/apply?dryRun=true&cluster=${first.id}`, { key, raw, headers });
    expect(reordered.status).toBe(200);
    expect(reordered.headers.get('idempotent-replayed')).toBe('true');
  });

  it('names the path and the body when those differ', async () => {
    const { key } = await signUp(api);
    const cluster = await createCluster(api, key);
    const headers = { 'idempotency-key': unique('create') };
    expect((await api.post(`/v1/clusters/${cluster.id}/policies`, { key, body: networkPolicy('np-a'), headers })).status).toBe(201);
    const otherBody = await api.post(`/v1/clusters/${cluster.id}/policies`, { key, body: networkPolicy('np-b'), headers });
    expect(otherBody.status).toBe(422);
    expect(otherBody.body.errors.map((error: { path: string }) => error.path)).toEqual(['body']);
    const otherPath = await api.post('/v1/clusters', { key, body: networkPolicy('np-a'), headers });
    expect(otherPath.status).toBe(422);
    expect(otherPath.body.errors.map((error: { path: string }) => error.path)).toEqual(['path']);
  });

  it("replays the first answer's status, headers (ETag, content-type) and body", async () => {
    const { key } = await signUp(api);
    const cluster = await createCluster(api, key);
    const headers = { 'idempotency-key': unique('etag') };
    const first = await api.post(`/v1/clusters/${cluster.id}/policies`, { key, body: networkPolicy('np-etag'), headers });
    const replay = await api.post(`/v1/clusters/${cluster.id}/policies`, { key, body: networkPolicy('np-etag'), headers });
    expect(first.status).toBe(201);
    expect(first.headers.get('etag')).toBeTruthy();
    expect(replay.status).toBe(201);
    expect(replay.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(replay.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.text).toBe(first.text);
  });

  it('answers 50 concurrent requests with one key with one write and the same answer', async () => {
    const { key } = await signUp(api);
    const cluster = await createCluster(api, key);
    const headers = { 'idempotency-key': unique('burst') };
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => api.post(`/v1/clusters/${cluster.id}/policies`, { key, body: networkPolicy('np-burst'), headers })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(201));
    expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
    expect(new Set(answers.map((answer) => answer.headers.get('etag'))).size).toBe(1);
    expect(answers.filter((answer) => answer.headers.get('idempotent-replayed') === 'true')).toHaveLength(49);
    expect((await api.get(`/v1/clusters/${cluster.id}/policies`, { key })).body.items).toHaveLength(1);
  });
});
