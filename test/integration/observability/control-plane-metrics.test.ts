// The control plane's metrics, as a scraper sees them: on their own listener (never the API's port),
// request durations by route template (no ids), plan-limit refusals by limit, bundle builds with the
// revision built, outbox lag, parked long-polls, queue depth and the database pool, on both databases;
// and every scrape passes `promtool check metrics`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signUp, unique } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';
import { checkMetrics } from '../../support/promtool.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The value of one sample, by metric name and exact label set as exposed (`{a="b",c="d"}` or ''). */
function sample(body: string, name: string, labels = ''): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

for (const flavour of ['postgres', 'pglite'] as const) {
  describe(`control-plane metrics (${flavour})`, () => {
    let control: TestControlPlane;
    beforeAll(async () => {
      control = await startTestControlPlane(flavour, { METRICS_PORT: '0' });
    });
    afterAll(async () => control?.stop());

    const scrape = async () => {
      const response = await fetch(control.plane.metrics!.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      return response.text();
    };

    it('serves /metrics on its own port only', async () => {
      expect(control.plane.metrics!.port).not.toBe(control.plane.port);
      const onApi = await fetch(`${control.url}/metrics`);
      expect(onApi.status).toBe(404);
    });

    it('records requests by route template, limit refusals by limit, and builds with their revision', async () => {
      const api = apiClient(control.url);
      const { key } = await signUp(api);
      const cluster = await api.post('/v1/clusters', { key, body: { name: unique('c'), provider: 'eks' } });
      expect(cluster.status).toBe(201);
      for (let i = 0; i < 3; i++) expect((await api.get(`/v1/clusters/${cluster.body.id}`, { key })).status).toBe(200);
      // The free plan holds 3 clusters: the 4th is refused with 422 naming the limit.
      for (let i = 0; i < 2; i++) await api.post('/v1/clusters', { key, body: { name: unique('c'), provider: 'eks' } });
      const refused = await api.post('/v1/clusters', { key, body: { name: unique('c'), provider: 'eks' } });
      expect(refused.status).toBe(422);
      const policy = await api.post(`/v1/clusters/${cluster.body.id}/policies`, {
        key,
        body: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'deny-all', namespace: 'shop' },
          spec: { podSelector: {}, policyTypes: ['Ingress'] },
        },
      });
      expect(policy.status).toBe(201);
      await control.plane.relay.drain();
      // Builds run behind the relay: wait until nothing is queued or running, as the metrics tell it.
      let body = await scrape();
      for (let i = 0; i < 100; i++) {
        const busy = ['waiting', 'active'].some((state) => sample(body, 'palisade_build_queue_jobs', `{state="${state}",queue="in-process"}`) !== 0);
        if (!busy && sample(body, 'palisade_outbox_lag_seconds') === 0) break;
        await new Promise((r) => setTimeout(r, 100));
        body = await scrape();
      }
      const bundles = await api.get(`/v1/clusters/${cluster.body.id}/bundles`, { key });
      const revision = bundles.body.items.at(-1).revision as number;

      expect(sample(body, 'palisade_http_request_duration_seconds_count', '{route="/v1/clusters/:id",method="GET",status_class="2xx"}')).toBe(3);
      expect(sample(body, 'palisade_http_request_duration_seconds_count', '{route="/v1/clusters",method="POST",status_class="4xx"}')).toBe(1);
      expect(sample(body, 'palisade_plan_limit_refusals_total', '{limit="clusters"}')).toBe(1);
      expect(sample(body, 'palisade_bundle_last_built_revision')).toBe(revision);
      expect(sample(body, 'palisade_bundle_build_duration_seconds_count', '{outcome="built"}')).toBeGreaterThanOrEqual(1);
      expect(sample(body, 'palisade_bundle_size_bytes_count')).toBeGreaterThanOrEqual(1);
      expect(sample(body, 'palisade_outbox_lag_seconds')).toBe(0);
      expect(sample(body, 'palisade_long_poll_waiters')).toBe(0);
      expect(sample(body, 'palisade_build_queue_jobs', '{state="waiting",queue="in-process"}')).toBe(0);
      expect(sample(body, 'palisade_db_pool_connections', '{state="max"}')).toBe(flavour === 'pglite' ? 1 : 10);
      expect(sample(body, 'palisade_db_pool_connections', '{state="open"}')).toBeGreaterThanOrEqual(1);
      if (flavour === 'postgres') expect(sample(body, 'palisade_db_pool_connections', '{state="busy"}')).toBeGreaterThanOrEqual(0);
      // No id ever becomes a label value.
      expect(body).not.toMatch(UUID);
    });

    it('passes promtool check metrics', async () => {
      const checked = await checkMetrics(await scrape());
      expect(checked.output).toBe('');
      expect(checked.code).toBe(0);
    });
  });
}
