// Redis stopped in the middle of a burst of policy writes, on a private Redis this test kills and
// restarts (the machine's shared one serves other test files). Writes only touch Postgres (the
// outbox), so every one still answers cleanly; once Redis is back, and although the restarted Redis
// lost every job it held, the cluster's bundle carries exactly the stored policies.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, apiClient, createAgentToken, createCluster, networkPolicy, signUp, unique } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';
import { isCleanAnswer, storedPolicyNames, waitForBundleNames } from '../../support/fault-checks.ts';
import { type PrivateRedis, startPrivateRedis } from '../../support/private-services.ts';

describe('a Redis outage during a burst of writes', () => {
  let redis: PrivateRedis;
  let control: TestControlPlane;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    control = await startTestControlPlane('postgres', { REDIS_URL: redis.url }, { queuePrefix: `palisade-fault-${randomBytes(4).toString('hex')}` });
  });
  afterAll(async () => {
    await control?.stop();
    await redis?.stop();
  });

  it('answers every write cleanly and builds every change once Redis returns, though Redis lost its jobs', async () => {
    const api = apiClient(control.url);
    // Many clusters, so that builds queue behind the worker's concurrency and die with Redis.
    const clusters: { key: string; id: string; token: string }[] = [];
    for (let tenant = 0; tenant < 4; tenant++) {
      const { key } = await signUp(api);
      for (let index = 0; index < 3; index++) {
        const cluster = await createCluster(api, key);
        clusters.push({ key, id: cluster.id, token: await createAgentToken(api, key, cluster.id) });
      }
    }
    const answers: ApiResponse[] = [];
    const writeToEveryCluster = async () => {
      const batch = await Promise.all(clusters.map(({ key, id }) => api.post(`/v1/clusters/${id}/policies`, { key, body: networkPolicy(unique('np')) })));
      answers.push(...batch);
    };

    await writeToEveryCluster();
    const stopping = redis.stop();
    await writeToEveryCluster();
    await stopping;
    await writeToEveryCluster();
    // A deletion made during the outage must reach the bundle too.
    const first = clusters[0]!;
    const [victim] = (await api.get(`/v1/clusters/${first.id}/policies`, { key: first.key })).body.items as { id: string }[];
    answers.push(await api.delete(`/v1/clusters/${first.id}/policies/${victim!.id}`, { key: first.key }));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await redis.start();

    // The last change of every cluster, then Redis dies again while their builds are queued in it:
    // those jobs die with it (it keeps nothing on disk) and no later write rebuilds the cluster.
    await writeToEveryCluster();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.start();

    expect(answers.filter((answer) => !isCleanAnswer(answer.status)).map((answer) => `${answer.status} ${answer.text}`)).toEqual([]);
    for (const cluster of clusters) {
      const stored = await storedPolicyNames(api, cluster.key, cluster.id);
      expect(stored.length).toBeGreaterThan(0);
      expect(await waitForBundleNames(api, cluster.token, stored, 20_000)).toEqual(stored);
    }
  });
});
