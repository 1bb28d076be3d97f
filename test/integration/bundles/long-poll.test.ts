// An agent's long-poll is answered as soon as a write changes its cluster's policy (the issue asks for
// under a second), and with 304 when the wait runs out with nothing new.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createAgentToken, createPolicy } from '../../support/api-client.ts';
import { waitForRevision } from '../../support/bundles.ts';
import type { TestControlPlane } from '../../support/control-plane.ts';
import { startWithTenantCluster } from '../../support/tenant-with-cluster.ts';

describe.each(['postgres', 'pglite'] as const)('long-poll on %s', (flavour) => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let clusterId: string;
  let token: string;

  beforeAll(async () => {
    // A slow relay poll, so the measured latency is the NOTIFY path's, not the fallback timer's.
    ({ control, api, key, clusterId } = await startWithTenantCluster(flavour, { RELAY_POLL_MS: '30000' }));
    token = await createAgentToken(api, key, clusterId);
  });
  afterAll(() => control?.stop());

  it('answers 304 with the same ETag when nothing newer appears within the wait', async () => {
    const current = await waitForRevision(api, token, 1);
    const started = performance.now();
    const response = await api.get('/v1/agent/bundle?wait=1', { key: token, headers: { 'if-none-match': current.etag! } });
    expect(response.status).toBe(304);
    expect(response.headers.get('etag')).toBe(current.etag);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('delivers a policy write to a waiting agent within a second', async () => {
    const latencies: number[] = [];
    for (let round = 0; round < 5; round++) {
      const current = await api.get('/v1/agent/bundle', { key: token });
      const waiting = api.get('/v1/agent/bundle?wait=30', { key: token, headers: { 'if-none-match': current.headers.get('etag')! } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const writtenAt = performance.now();
      await createPolicy(api, key, clusterId);
      const response = await waiting;
      latencies.push(performance.now() - writtenAt);
      expect(response.status).toBe(200);
      expect(Number(response.headers.get('x-palisade-revision'))).toBe(Number(current.headers.get('x-palisade-revision')) + 1);
    }
    console.log(`[${flavour}] policy write -> waiting agent, ms: ${latencies.map((ms) => ms.toFixed(1)).join(', ')}`);
    expect(Math.max(...latencies)).toBeLessThan(1_000);
  });
});
