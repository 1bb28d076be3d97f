// The audit log through GET /v1/audit-events: every write with its actor (an API key or a member's
// email), newest first, filtered by resource, actor, action and time, paged by cursor without gaps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, unique } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';
import { asMember, signIn } from '../../support/session-client.ts';

const PASSWORD = 'correct horse battery staple';

interface AuditEvent {
  id: string;
  at: string;
  actor: string;
  action: string;
  resourceType: string;
  resourceId: string;
  before: unknown;
  after: unknown;
}

describe('audit events', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let email: string;
  let clusterId: string;
  let call: ReturnType<typeof asMember>;

  beforeAll(async () => {
    control = await startTestControlPlane('postgres');
    api = apiClient(control.url);
    email = `${unique('owner')}@example.com`;
    const created = await api.post('/v1/signup', { body: { tenantName: unique('tenant'), email, password: PASSWORD } });
    key = created.body.apiKey.key;
    call = asMember(api, await signIn(api, email, PASSWORD));
    // A cluster made with the key, renamed and deleted through the session; a second cluster made with the session.
    clusterId = (await api.post('/v1/clusters', { key, body: { name: 'first', provider: 'kind' } })).body.id;
    expect((await call('PUT', `/v1/clusters/${clusterId}`, { body: { name: 'renamed', provider: 'kind' } })).status).toBe(200);
    expect((await call('DELETE', `/v1/clusters/${clusterId}`)).status).toBe(204);
    expect((await call('POST', '/v1/clusters', { body: { name: 'second' } })).status).toBe(201);
  });
  afterAll(() => control?.stop());

  const list = async (query = ''): Promise<AuditEvent[]> => {
    const response = await api.get(`/v1/audit-events${query}`, { key });
    expect(response.status).toBe(200);
    return response.body.items;
  };

  it("shows one object's history newest first, with before and after", async () => {
    const history = await list(`?resourceType=cluster&resourceId=${clusterId}`);
    expect(history.map((event) => event.action)).toEqual(['delete', 'update', 'create']);
    const [deleted, updated, created] = history;
    expect(created!.actor).toMatch(/^api-key:/);
    expect(updated!.actor).toBe(email);
    expect(deleted!.actor).toBe(email);
    expect(updated!.before).toMatchObject({ name: 'first' });
    expect(updated!.after).toMatchObject({ name: 'renamed' });
  });

  it('filters by actor, action and time', async () => {
    const byMember = await list(`?actor=${encodeURIComponent(email)}`);
    expect(byMember.map((event) => [event.action, event.resourceType])).toEqual([
      ['create', 'cluster'],
      ['delete', 'cluster'],
      ['update', 'cluster'],
    ]);
    const creates = await list('?action=create');
    expect(creates.every((event) => event.action === 'create')).toBe(true);
    expect(creates.map((event) => event.resourceType)).toEqual(['cluster', 'cluster', 'tenant']);

    const all = await list();
    const newest = all[0]!;
    const before = await list(`?until=${encodeURIComponent(newest.at)}`);
    expect(before.map((event) => event.id)).not.toContain(newest.id);
    const since = await list(`?since=${encodeURIComponent(newest.at)}`);
    expect(since.map((event) => event.id)).toContain(newest.id);
    expect(since.length).toBeLessThan(all.length + 1);
  });

  it('pages back in time with the cursor, every event once', async () => {
    const all = await list();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: AuditEvent[]; nextCursor: string | null } } = await api.get(`/v1/audit-events?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
        key,
      });
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((event) => event.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((event) => event.id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses a malformed filter, naming it', async () => {
    const response = await api.get('/v1/audit-events?since=yesterday', { key });
    expect(response.status).toBe(422);
    expect(response.body.errors[0].path).toBe('query.since');
  });
});
