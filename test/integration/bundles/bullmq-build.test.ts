// The BullMQ path against the real Redis: writes become bundles through the queue, a burst of build
// requests for one cluster collapses into at most one running and one waiting build, and a build that
// can never succeed is not retried.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildProcessor, BuildRequest } from '../../../workers/queue/build-queue.ts';
import { createBullmqQueue } from '../../../workers/queue/bullmq-queue.ts';
import { UnrecoverableBuildError } from '../../../workers/queue/unrecoverable.ts';
import { apiClient, createAgentToken, createCluster, createPolicy, signUp } from '../../support/api-client.ts';
import { revisionCarrying } from '../../support/bundles.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('bundle builds on BullMQ', () => {
  let control: TestControlPlane;

  beforeAll(async () => {
    control = await startTestControlPlane('postgres', { REDIS_URL }, { queuePrefix: `palisade-test-${randomBytes(4).toString('hex')}` });
  });
  afterAll(() => control?.stop());

  it('turns a policy write into a signed bundle through the queue', async () => {
    const api = apiClient(control.url);
    const { key } = await signUp(api);
    const cluster = await createCluster(api, key);
    const token = await createAgentToken(api, key, cluster.id);
    const written = await createPolicy(api, key, cluster.id);
    const bundle = await revisionCarrying(api, token, (written.manifest.metadata as { name: string }).name);
    expect(bundle.revision).toBe(2);
  });

  it('collapses a burst of requests for one cluster into one build after the running one', async () => {
    const builds: BuildRequest[] = [];
    let release!: () => void;
    const firstBuildHolds = new Promise<void>((resolve) => (release = resolve));
    const queue = createBullmqQueue(
      async (request) => {
        builds.push(request);
        if (builds.length === 1) await firstBuildHolds;
      },
      pino({ level: 'silent' }),
      { redisUrl: REDIS_URL, work: true, prefix: `palisade-test-${randomBytes(4).toString('hex')}` },
    );
    try {
      const clusterId = crypto.randomUUID();
      await queue.enqueue({ tenantId: crypto.randomUUID(), clusterId, outboxId: 1 });
      while (builds.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      // The first build is running; twenty more edits arrive.
      for (let outboxId = 2; outboxId <= 21; outboxId++) await queue.enqueue({ tenantId: crypto.randomUUID(), clusterId, outboxId });
      release();
      const deadline = Date.now() + 10_000;
      while (builds.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 500));
      // One follow-up build, carrying the newest request: the change made during the first is not lost.
      expect(builds.map((build) => build.outboxId)).toEqual([1, 21]);
    } finally {
      await queue.close();
    }
  });

  it('retries a failed build, but not one that can never succeed', async () => {
    const attempts = { retryable: 0, unrecoverable: 0 };
    const build: BuildProcessor = async (request) => {
      const kind = request.tenantId === 'retryable' ? 'retryable' : 'unrecoverable';
      attempts[kind] += 1;
      throw kind === 'retryable' ? new Error('connection lost') : new UnrecoverableBuildError('a stored object no longer validates');
    };
    const queue = createBullmqQueue(build, pino({ level: 'silent' }), {
      redisUrl: REDIS_URL,
      work: true,
      prefix: `palisade-test-${randomBytes(4).toString('hex')}`,
    });
    try {
      await queue.enqueue({ tenantId: 'retryable', clusterId: crypto.randomUUID(), outboxId: 1 });
      await queue.enqueue({ tenantId: 'unrecoverable', clusterId: crypto.randomUUID(), outboxId: 2 });
      const deadline = Date.now() + 10_000;
      while (attempts.retryable < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(attempts.retryable).toBeGreaterThanOrEqual(3);
      expect(attempts.unrecoverable).toBe(1);
    } finally {
      await queue.close();
    }
  });
});
