// One tenant cannot hold the whole process: with its one running request stuck on a database lock
// and its one queue place taken, the tenant's next request is refused at once with 429 and
// Retry-After, while another tenant's requests are served; once the lock goes, the running and the
// queued request both complete.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, signUp, unique } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('per-tenant concurrency cap', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let admin: postgres.Sql;

  beforeAll(async () => {
    control = await startTestControlPlane('postgres', { TENANT_CONCURRENT_REQUESTS: '1', TENANT_QUEUED_REQUESTS: '1' });
    api = apiClient(control.url);
    admin = postgres(control.databaseUrl!, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await admin?.end();
    await control?.stop();
  });

  /** Backends of this database waiting on a lock: the stuck request is one of them. */
  async function lockWaiters(): Promise<number> {
    const [row] = await admin`select count(*)::int as waiting from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`;
    return row!.waiting as number;
  }

  it('refuses a tenant past its running and queued requests while another tenant is served', async () => {
    const busy = await signUp(api);
    const other = await signUp(api);
    const createCluster = () => api.post('/v1/clusters', { key: busy.key, body: { name: unique('cluster'), provider: 'kind' } });

    // Creating a cluster locks the tenant's row to check the plan's cluster limit: hold that row.
    // The lock is taken before the request is sent: otherwise the request can win the race for it.
    let released!: () => void;
    const release = new Promise<void>((resolve) => {
      released = resolve;
    });
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holding = admin.begin(async (tx) => {
      await tx`select id from tenants where id = ${busy.tenantId} for update`;
      locked();
      await release;
    });
    await lockTaken;
    const running = createCluster();
    const deadline = Date.now() + 30_000;
    while ((await lockWaiters()) === 0) {
      if (Date.now() > deadline) {
        released();
        throw new Error('the cluster create never waited on the tenant row lock: does it still lock the tenant row?');
      }
      await sleep(20);
    }

    // One of these two takes the queue place and waits behind the stuck request, so the first answer
    // is the other one's: the refusal, given at once.
    const second = createCluster();
    const third = createCluster();
    const refused = await Promise.race([second, third]);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    const served = await api.get('/v1/clusters', { key: other.key });
    expect(served.status).toBe(200);

    released();
    await holding;
    expect((await running).status).toBe(201);
    // The running request and the queued one both wrote their cluster; the refused one wrote nothing.
    expect([(await second).status, (await third).status].sort()).toEqual([201, 429]);
    const clusters = await api.get('/v1/clusters', { key: busy.key });
    expect(clusters.body.items).toHaveLength(2);
  });
});
