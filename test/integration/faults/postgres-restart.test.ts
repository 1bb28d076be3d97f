// Postgres restarted between and during client writes, on a private instance this test stops and
// starts (the machine's shared one serves other test files). Clients get 503 with Retry-After, never a 500; each
// write is whole or absent (the policy, its audit entry and its outbox row together); and the same
// server answers again once Postgres is back, without a restart.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, apiClient, createAgentToken, createCluster, networkPolicy, signUp, unique } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';
import { isCleanAnswer, storedPolicyNames, waitForBundleNames } from '../../support/fault-checks.ts';
import { type PrivatePostgres, startPrivatePostgres } from '../../support/private-services.ts';

describe('a Postgres restart during writes', () => {
  let database: PrivatePostgres;
  let control: TestControlPlane;

  beforeAll(async () => {
    database = await startPrivatePostgres();
    // The relay runs on NOTIFY alone here, so no transaction of its own is in flight at the stop: one
    // that is crashes postgres.js 3.4.9 (porsager/postgres#1208), which this test cannot fix.
    control = await startTestControlPlane('postgres', { RELAY_POLL_MS: '600000' }, { databaseUrl: database.url });
  });
  afterAll(async () => {
    await control?.stop();
    database?.destroy();
  });

  it('answers 503 with Retry-After while it is down, loses or splits no write, and recovers by itself', async () => {
    const api = apiClient(control.url);
    const { key, tenantId } = await signUp(api);
    const cluster = await createCluster(api, key);
    const token = await createAgentToken(api, key, cluster.id);

    const outboxRows = async () => {
      const owner = postgres(database.url, { max: 1, onnotice: () => {} });
      const [row] = await owner<{ count: string }[]>`select count(*) from outbox where cluster_id = ${cluster.id}`;
      await owner.end();
      return Number(row!.count);
    };
    // Creating the cluster announced its first bundle already.
    const outboxBefore = await outboxRows();
    const answers: ApiResponse[] = [];
    const write = async () => {
      const answer = await api.post(`/v1/clusters/${cluster.id}/policies`, { key, body: networkPolicy(unique('np')) });
      answers.push(answer);
      return answer;
    };
    // Every pooled connection is open when the server goes away, so each is found dead by a request.
    await Promise.all(Array.from({ length: 8 }, write));
    // The builds those writes asked for finish before the stop (see the relay note above).
    const built = await storedPolicyNames(api, key, cluster.id);
    expect(await waitForBundleNames(api, token, built, 15_000)).toEqual(built);
    await new Promise((resolve) => setTimeout(resolve, 300));
    database.stop();
    await Promise.all(Array.from({ length: 8 }, write));
    await database.start();
    // Retried as a client would after Retry-After, until the same server answers again.
    const deadline = Date.now() + 20_000;
    while ((await write()).status !== 201 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));

    expect(answers.filter((answer) => !isCleanAnswer(answer.status)).map((answer) => `${answer.status} ${answer.text}`)).toEqual([]);
    const unavailable = answers.filter((answer) => answer.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const answer of unavailable) {
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(answer.body.code).toBe('DATABASE_UNAVAILABLE');
    }

    // Recovered without a restart: the same server writes again.
    const after = await write();
    expect(after.status).toBe(201);

    // All or nothing: every stored policy has its audit entry and every write its outbox row.
    const owner = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const stored = await owner<{ id: string }[]>`select id from policies where tenant_id = ${tenantId}`;
      const audited = await owner<{ resource_id: string }[]>`
        select resource_id from audit_log where tenant_id = ${tenantId} and resource_type = 'policy' and action = 'create'`;
      expect(audited.map((row) => row.resource_id).sort()).toEqual(stored.map((row) => row.id).sort());
      expect((await outboxRows()) - outboxBefore).toBe(stored.length);
      // Every write answered 201 is stored (a 503 may or may not have committed: the client retries it).
      const created = answers.filter((answer) => answer.status === 201).map((answer) => answer.body.id as string);
      expect(stored.map((row) => row.id)).toEqual(expect.arrayContaining(created));
    } finally {
      await owner.end();
    }
  });
});
