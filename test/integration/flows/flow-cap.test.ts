// Each node's agent may add its plan's flowRowsPerAgentMinute flow rows a minute: a flood from one
// agent stays bounded (past the cap, entries fold into the rows of the same flow already stored, or
// are dropped), the tenant sees what was folded and dropped per node and for the cluster, the next
// minute opens a new allowance, and another tenant's flows still land.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../../db/index.ts';
import type { FlowLogEntry } from '../../../policy/flow-log.ts';
import { PLANS } from '../../../policy/plan/limits.ts';
import { type ApiClient, apiClient, createAgentToken, createCluster, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

const CAP = PLANS.free.flowRowsPerAgentMinute;
// Under the API-wide 1 MiB body limit (about 300 bytes an entry), over the free cap.
const BATCH = 2_500;

/** A scan: one entry per remote port, all denied by one rule. */
const scan = (size: number, startTime = '2026-12-06T12:00:00.000Z', endTime = '2026-12-06T12:00:15.000Z'): FlowLogEntry[] =>
  Array.from({ length: size }, (_, index) => ({
    startTime,
    endTime,
    endpoint: 'shop/web',
    direction: 'egress',
    remote: `198.18.${Math.floor(index / 250)}.${(index % 250) + 1}`,
    protocol: 6,
    port: 443,
    kind: 'denied',
    rule: { tier: 'default', policyId: 'NetworkPolicy/shop/web', ruleIndex: 'default', action: 'Deny' },
    count: 1,
    bytes: 60,
  }));

describe('flow cap per agent', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let now = new Date('2026-12-06T12:00:05.000Z');

  beforeAll(async () => {
    control = await startTestControlPlane('postgres', {}, { clock: () => now });
    api = apiClient(control.url);
  });
  afterAll(() => control?.stop());

  const rowsOfCluster = async (clusterId: string) =>
    rowsOf<{ rows: number; total: number }>(
      await control.plane.database.db.execute(
        sql`select count(*)::int as rows, coalesce(sum(count), 0)::int as total from flow_logs where cluster_id = ${clusterId}`,
      ),
    )[0]!;

  it('keeps a flooding agent to its cap, folds what repeats, counts what it drops, and lets another tenant in', async () => {
    const noisy = await signUp(api, 'free');
    const noisyCluster = (await createCluster(api, noisy.key)).id;
    const noisyToken = await createAgentToken(api, noisy.key, noisyCluster);
    expect((await api.post('/v1/agent/status', { key: noisyToken, body: { nodeName: 'node-1', appliedRevision: null } })).status).toBe(204);

    // The first bucket of a scan: the cap's worth is stored, the rest has nothing to fold into.
    expect((await api.post('/v1/agent/flows', { key: noisyToken, body: { nodeName: 'node-1', entries: scan(BATCH) } })).status).toBe(204);
    expect(await rowsOfCluster(noisyCluster)).toEqual({ rows: CAP, total: CAP });

    // The same scan in the next three buckets of the minute: no new row; the stored flows count up.
    for (let bucket = 1; bucket <= 3; bucket++) {
      const entries = scan(BATCH, `2026-12-06T12:00:${15 * bucket}.000Z`, `2026-12-06T12:00:${15 * bucket + 14}.000Z`);
      expect((await api.post('/v1/agent/flows', { key: noisyToken, body: { nodeName: 'node-1', entries } })).status).toBe(204);
    }
    expect(await rowsOfCluster(noisyCluster)).toEqual({ rows: CAP, total: 4 * CAP });

    const agents = await api.get(`/v1/clusters/${noisyCluster}/agents`, { key: noisy.key });
    expect(agents.status).toBe(200);
    const expected = { folded: 3 * CAP, dropped: 4 * (BATCH - CAP) };
    expect(agents.body.items).toMatchObject([{ nodeName: 'node-1', flows: expected }]);
    expect(agents.body.flows).toEqual(expected);

    // A new minute opens a new allowance: rows grow by at most the cap per minute.
    now = new Date('2026-12-06T12:01:05.000Z');
    const nextMinute = scan(BATCH, '2026-12-06T12:01:00.000Z', '2026-12-06T12:01:15.000Z').map((entry) => ({ ...entry, port: 8443 }));
    expect((await api.post('/v1/agent/flows', { key: noisyToken, body: { nodeName: 'node-1', entries: nextMinute } })).status).toBe(204);
    expect((await rowsOfCluster(noisyCluster)).rows).toBe(2 * CAP);

    // Another tenant's agent, well under its cap: every entry lands as its own row, nothing folded.
    const quiet = await signUp(api, 'free');
    const quietCluster = (await createCluster(api, quiet.key)).id;
    const quietToken = await createAgentToken(api, quiet.key, quietCluster);
    expect((await api.post('/v1/agent/flows', { key: quietToken, body: { nodeName: 'node-a', entries: scan(3) } })).status).toBe(204);
    const quietFlows = await api.get(`/v1/clusters/${quietCluster}/flows`, { key: quiet.key });
    expect(quietFlows.body.items).toHaveLength(3);
    expect((await api.get(`/v1/clusters/${quietCluster}/agents`, { key: quiet.key })).body.flows).toEqual({ folded: 0, dropped: 0 });
  });
});
