// An authenticated request runs no transaction of its own to resolve its credential: the credential is
// remembered for a few seconds. Revocation still holds: at once in the process that revoked, and within the cache's
// lifetime when the key was revoked elsewhere (another process sharing the database).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CREDENTIAL_TTL_MS } from '../../../api/middleware/credential-cache.ts';
import { type ApiClient, apiClient, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

describe('authenticated requests', () => {
  let control: TestControlPlane<'api'>;
  let api: ApiClient;
  let key: string;

  const mintKey = async () => {
    const created = await api.post('/v1/api-keys', { key, body: { name: 'reader', role: 'viewer' } });
    expect(created.status).toBe(201);
    return created.body as { id: string; key: string };
  };

  beforeAll(async () => {
    // The API alone: the workers' own transactions (the outbox relay's polls) would be counted too.
    control = await startTestControlPlane('postgres', {}, { role: 'api' });
    api = apiClient(control.url);
    ({ key } = await signUp(api));
  });
  afterAll(() => control?.stop());

  it('run no credential lookup once the key is known', async () => {
    expect((await api.get('/v1/clusters', { key })).status).toBe(200);
    const transactions = vi.spyOn(control.plane.database.db, 'transaction');
    for (let request = 0; request < 10; request++) expect((await api.get('/v1/clusters', { key })).status).toBe(200);
    // A lookup is a transaction; the list itself is a tenant read (db/tenant-read.ts), which is none.
    expect(transactions).toHaveBeenCalledTimes(0);
    transactions.mockRestore();
  });

  it('stop working at once when the key is revoked through this process', async () => {
    const reader = await mintKey();
    expect((await api.get('/v1/clusters', { key: reader.key })).status).toBe(200);
    expect((await api.delete(`/v1/api-keys/${reader.id}`, { key })).status).toBe(204);
    expect((await api.get('/v1/clusters', { key: reader.key })).status).toBe(401);
  });

  it('stop working within the cache lifetime when the key is revoked elsewhere', async () => {
    const reader = await mintKey();
    expect((await api.get('/v1/clusters', { key: reader.key })).status).toBe(200);
    await control.plane.database.db.execute(sql`update api_keys set revoked_at = now() where id = ${reader.id}`);
    const revokedAt = Date.now();
    while ((await api.get('/v1/clusters', { key: reader.key })).status === 200) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(Date.now() - revokedAt).toBeLessThanOrEqual(CREDENTIAL_TTL_MS + 500);
  });
});
