// Past one process: two `palisade serve --role api` processes (the long-poll delivery service) and
// one `palisade worker`, each its own OS process, on one Postgres and one Redis. Long-polls parked on
// both delivery processes all wake with the revision a write through either one produced (Postgres
// NOTIFY reaches every listener), every waiter gets the same signed bytes, and the single worker
// builds each revision once.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeyRing, newKeyRing, trustRootOf, verifyBundle } from '../../../policy/bundle/index.ts';
import { type ApiClient, apiClient, createAgentToken, createCluster, createPolicy, networkPolicy, signUp, unique } from '../../support/api-client.ts';
import { revisionCarrying } from '../../support/bundles.ts';
import { type PalisadeProcess, processSettings, SERVE_READY, startPalisade, stopPalisade, WORKER_READY } from '../../support/palisade-process.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Parked waiters per delivery process. */
const WAITERS_EACH = 3;

describe('two delivery processes and one worker on one Postgres and one Redis', () => {
  let database: TestDatabase;
  let keyRing: KeyRing;
  let dataDir: string;
  const started: PalisadeProcess[] = [];
  let deliveries: ApiClient[];

  beforeAll(async () => {
    database = await createTestDatabase();
    keyRing = await newKeyRing(new Date());
    dataDir = mkdtempSync(join(tmpdir(), 'palisade-scale-out-'));
    const env = {
      ...processSettings(dataDir),
      DATABASE_URL: database.url,
      REDIS_URL,
      // Its own BullMQ prefix, so builds queued by other test files on the same Redis never mix in.
      QUEUE_PREFIX: `palisade-test-${randomBytes(4).toString('hex')}`,
      SIGNING_KEYS: JSON.stringify(keyRing),
    };
    // One after another: each applies migrations on start, and the first one does the work.
    for (let i = 0; i < 2; i++) started.push(await startPalisade(['serve', '--role', 'api'], env, SERVE_READY));
    started.push(await startPalisade(['worker'], env, WORKER_READY));
    deliveries = started.slice(0, 2).map((process) => apiClient(process.url!));
  }, 180_000);

  afterAll(async () => {
    for (const process of started) await stopPalisade(process);
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('wakes every waiter on both processes with the one new revision, built once', { timeout: 120_000 }, async () => {
    const [first, second] = deliveries as [ApiClient, ApiClient];
    const { key, tenantId } = await signUp(first);
    const cluster = await createCluster(first, key);
    const token = await createAgentToken(first, key, cluster.id);
    const firstPolicy = unique('np');
    await createPolicy(first, key, cluster.id, networkPolicy(firstPolicy));
    // The revision carrying that policy: the cluster's first (empty) bundle may come before it, and
    // waiters parked on that one would be answered by this one before the write below.
    const current = await revisionCarrying(second, token, firstPolicy);

    // Parked: each waiter names the current revision and may wait a minute for a newer one.
    const parked = [first, second].flatMap((delivery) =>
      Array.from({ length: WAITERS_EACH }, () =>
        delivery.get('/v1/agent/bundle?wait=60', { key: token, headers: { 'if-none-match': `"r${current.revision}"` } }),
      ),
    );
    let answeredEarly = 0;
    for (const waiter of parked) waiter.then(() => answeredEarly++);
    // A moment for the requests to reach both processes and park. The check stays sound without it: a
    // waiter arriving after the write reads the latest revision before parking and answers at once.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(answeredEarly).toBe(0);

    // The write goes through the second process: the first learns of it only through Postgres.
    const name = unique('np');
    await createPolicy(second, key, cluster.id, networkPolicy(name));
    const answers = await Promise.all(parked);

    const expected = current.revision + 1;
    const trustRoot = trustRootOf(keyRing, new Date());
    const digests = new Set<string>();
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('etag')).toBe(`"r${expected}"`);
      const verdict = await verifyBundle(answer.text, trustRoot, {
        tenantId,
        clusterId: cluster.id,
        appliedRevision: current.revision,
        now: new Date(),
        maxBytes: 10 * 1024 * 1024,
      });
      expect(verdict.ok && verdict.payload.revision).toBe(expected);
      const digest = createHash('sha256').update(answer.text).digest('hex');
      expect(answer.headers.get('x-palisade-sha256')).toBe(digest);
      digests.add(digest);
    }
    expect(answers).toHaveLength(2 * WAITERS_EACH);
    expect(digests.size).toBe(1);

    // Built once per change (the cluster's creation, then each policy write): the history holds each
    // revision exactly once, with no gap and nothing past the one every waiter got.
    for (const delivery of deliveries) {
      const history = await delivery.get(`/v1/clusters/${cluster.id}/bundles`, { key });
      expect(history.status).toBe(200);
      expect((history.body.items as { revision: number }[]).map((bundle) => bundle.revision)).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
    }
  });
});
