// The split shape of production: an API-only control plane and `palisade worker` (its own process) on
// one Postgres and one Redis. The API only writes; the worker relays the outbox, builds and signs, and
// the API serves what it built to a long-polling agent. The worker stops cleanly on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, createAgentToken, createCluster, createPolicy, networkPolicy, signUp, unique } from '../../support/api-client.ts';
import { waitForRevision } from '../../support/bundles.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const QUEUE_PREFIX = `palisade-test-${randomBytes(4).toString('hex')}`;

function startWorker(databaseUrl: string, signingKeys: string): { child: ChildProcess; output: () => string; running: Promise<void> } {
  const { DATABASE_URL: _database, REDIS_URL: _redis, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/palisade.ts', 'worker'], {
    env: { ...env, DATABASE_URL: databaseUrl, REDIS_URL, QUEUE_PREFIX, SIGNING_KEYS: signingKeys, RELAY_POLL_MS: '250', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const running = new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`the worker did not start within 60 s; output:\n${output}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`the worker exited with ${code}; output:\n${output}`)));
    child.stdout!.on('data', () => {
      if (output.includes('palisade worker running')) {
        clearTimeout(deadline);
        resolve();
      }
    });
  });
  return { child, output: () => output, running };
}

const payloadOf = (jws: string) => Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8');

describe('palisade worker beside an API-only control plane', () => {
  let control: TestControlPlane<'api'>;
  let api: ApiClient;
  let worker: ReturnType<typeof startWorker> | undefined;

  beforeAll(async () => {
    control = await startTestControlPlane('postgres', { REDIS_URL }, { role: 'api', queuePrefix: QUEUE_PREFIX });
    api = apiClient(control.url);
  });
  afterAll(async () => {
    if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await control?.stop();
  });

  it('builds the bundle for a write made through the API, and stops on SIGTERM', { timeout: 120_000 }, async () => {
    const { key } = await signUp(api);
    const cluster = await createCluster(api, key);
    const token = await createAgentToken(api, key, cluster.id);
    const first = await createPolicy(api, key, cluster.id);

    // The API alone builds nothing: the writes wait in the outbox.
    expect((await api.get(`/v1/clusters/${cluster.id}/bundles`, { key })).body.items).toEqual([]);
    expect((await api.get('/v1/agent/bundle', { key: token })).status).toBe(304);

    worker = startWorker(control.databaseUrl!, JSON.stringify(control.keyRing));
    await worker.running;
    const built = await waitForRevision(api, token, 1, 30_000);
    expect(payloadOf(built.jws)).toContain((first.manifest.metadata as { name: string }).name);

    // A write made while the worker runs reaches the agent too.
    const secondName = unique('np');
    await createPolicy(api, key, cluster.id, networkPolicy(secondName));
    const rebuilt = await waitForRevision(api, token, built.revision + 1, 30_000);
    expect(payloadOf(rebuilt.jws)).toContain(secondName);

    const exited = new Promise<number | null>((resolve) => worker!.child.once('exit', (code) => resolve(code)));
    worker.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
