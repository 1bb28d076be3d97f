// One tenant's load does not stall another's: per-tenant token buckets answer the hammering tenant
// 429 with Retry-After (held that long, up to a second, before it is sent) while the other's requests
// all succeed; every answer carries RateLimit
// headers; agent tokens have their own bucket; sign-ups are throttled per client network, with
// X-Forwarded-For believed only behind a configured proxy; long-polls are capped per token and tenant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, createAgentToken, createCluster, signUp, unique } from '../../support/api-client.ts';
import { waitForRevision } from '../../support/bundles.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))]!;
}

describe('rate limits', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  /** Signed up first: the four sign-ups the address's bucket holds. */
  let tenants: { key: string }[];

  beforeAll(async () => {
    control = await startTestControlPlane('postgres', {
      RATE_LIMIT_READS_PER_SECOND: '20',
      RATE_LIMIT_READS_BURST: '40',
      RATE_LIMIT_AGENT_PER_SECOND: '5',
      RATE_LIMIT_AGENT_BURST: '10',
      RATE_LIMIT_SIGNUPS_PER_HOUR: '1',
      RATE_LIMIT_SIGNUP_BURST: '4',
      LONG_POLL_MAX_PER_TOKEN: '2',
      LONG_POLL_MAX_PER_TENANT: '3',
    });
    api = apiClient(control.url);
    tenants = [await signUp(api), await signUp(api), await signUp(api), await signUp(api)];
  });
  afterAll(() => control?.stop());

  it('answers a hammering tenant 429 while every request of another tenant succeeds', async () => {
    const [hammering, other] = tenants as [{ key: string }, { key: string }];
    const timedRead = async (key: string) => {
      const started = performance.now();
      const response = await api.get('/v1/clusters', { key });
      return { status: response.status, headers: response.headers, ms: performance.now() - started };
    };
    const idle: number[] = [];
    for (let index = 0; index < 10; index++) {
      idle.push((await timedRead(other.key)).ms);
      await sleep(100);
    }

    const hammered: Awaited<ReturnType<typeof timedRead>>[] = [];
    let hammeringDone = false;
    const hammer = Array.from({ length: 10 }, async () => {
      while (!hammeringDone) hammered.push(await timedRead(hammering.key));
    });
    const loaded: Awaited<ReturnType<typeof timedRead>>[] = [];
    for (let index = 0; index < 20; index++) {
      loaded.push(await timedRead(other.key));
      await sleep(100);
    }
    hammeringDone = true;
    await Promise.all(hammer);

    console.log(`other tenant's read p99: idle ${p99(idle).toFixed(1)} ms, under the hammering ${p99(loaded.map((read) => read.ms)).toFixed(1)} ms`);
    expect(loaded.map((read) => read.status)).toEqual(Array(20).fill(200));
    const refused = hammered.filter((read) => read.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    for (const read of [...loaded, ...hammered]) {
      expect(read.headers.get('ratelimit-policy')).toBe('"tenant-reads";q=40;w=2');
      expect(read.headers.get('ratelimit')).toMatch(/^"tenant-reads";r=\d+;t=\d+$/);
    }
  });

  it('holds a refusal up to its Retry-After before sending it, so a client retrying at once gets about one answer a second', async () => {
    const hammering = tenants[2]!;
    const timed = async () => {
      const started = performance.now();
      const response = await api.get('/v1/clusters', { key: hammering.key });
      return { status: response.status, retryAfter: Number(response.headers.get('retry-after')), ms: performance.now() - started };
    };
    // The burst holds 40: the rest of these 60 at once are refused.
    const answers = await Promise.all(Array.from({ length: 60 }, timed));
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) expect(answer.ms).toBeGreaterThanOrEqual(Math.min(1_000, answer.retryAfter * 1_000) - 50);
    expect(answers.filter((answer) => answer.status !== 429).every((answer) => answer.status === 200)).toBe(true);
  });

  it('limits an agent token on its own bucket', async () => {
    const { key } = tenants[2]!;
    const cluster = await createCluster(api, key);
    const token = await createAgentToken(api, key, cluster.id);
    const statuses: number[] = [];
    for (let index = 0; index < 15; index++) statuses.push((await api.get('/v1/agent/bundle', { key: token })).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((status) => status !== 429).every((status) => status === 200 || status === 304)).toBe(true);
  });

  it('throttles sign-ups per client address and ignores X-Forwarded-For without a trusted proxy', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 6; index++) {
      const response = await api.post('/v1/signup', {
        body: { tenantName: unique('tenant'), email: `${unique('owner')}@example.com` },
        headers: { 'x-forwarded-for': `203.0.113.${index}` },
      });
      statuses.push(response.status);
      if (response.status === 429) expect(response.headers.get('retry-after')).toBeTruthy();
    }
    // beforeAll spent this address's four; claiming other addresses changes nothing.
    expect(statuses).toEqual(Array(6).fill(429));
  });

  it('caps long-polls held at once per agent token and per tenant', async () => {
    const { key } = tenants[3]!;
    const tokens: string[] = [];
    for (let index = 0; index < 2; index++) {
      const cluster = await createCluster(api, key);
      const token = await createAgentToken(api, key, cluster.id);
      await waitForRevision(api, token, 1);
      tokens.push(token);
    }
    const park = (token: string) => {
      const stop = new AbortController();
      const answer = fetch(`${control.url}/v1/agent/bundle?wait=30`, {
        headers: { authorization: `Bearer ${token}`, 'if-none-match': '"r1"' },
        signal: stop.signal,
      }).catch(() => undefined);
      return { stop: () => stop.abort(), answer };
    };
    const parked = [park(tokens[0]!), park(tokens[0]!)];
    await sleep(500);
    const overToken = await api.get('/v1/agent/bundle?wait=30', { key: tokens[0]!, headers: { 'if-none-match': '"r1"' } });
    expect(overToken.status).toBe(429);
    expect(overToken.headers.get('retry-after')).toBeTruthy();
    parked.push(park(tokens[1]!));
    await sleep(500);
    const overTenant = await api.get('/v1/agent/bundle?wait=30', { key: tokens[1]!, headers: { 'if-none-match': '"r1"' } });
    expect(overTenant.status).toBe(429);
    parked[0]!.stop();
    await sleep(500);
    expect((await api.get('/v1/agent/bundle?wait=1', { key: tokens[1]!, headers: { 'if-none-match': '"r1"' } })).status).toBe(304);
    for (const poll of parked) poll.stop();
    await Promise.all(parked.map((poll) => poll.answer));
  });

  it('believes X-Forwarded-For behind a configured proxy, so each client address has its own bucket', async () => {
    const behindProxy = await startTestControlPlane('postgres', { TRUSTED_PROXY_HOPS: '1', RATE_LIMIT_SIGNUP_BURST: '1', RATE_LIMIT_SIGNUPS_PER_HOUR: '1' });
    try {
      const client = apiClient(behindProxy.url);
      const signup = (forwardedFor: string) =>
        client.post('/v1/signup', {
          body: { tenantName: unique('tenant'), email: `${unique('owner')}@example.com` },
          headers: { 'x-forwarded-for': forwardedFor },
        });
      expect((await signup('203.0.113.7')).status).toBe(201);
      expect((await signup('203.0.113.7')).status).toBe(429);
      // Only the entry the proxy appended counts: a client's own claim to the left is ignored.
      expect((await signup('198.51.100.1, 203.0.113.7')).status).toBe(429);
      expect((await signup('203.0.113.8')).status).toBe(201);
    } finally {
      await behindProxy.stop();
    }
  });
});
