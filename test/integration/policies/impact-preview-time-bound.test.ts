// The impact preview is time-bounded (issue 12: it answers within 2 s and says when it sampled): when
// its budget runs out, it answers with the busiest flows it evaluated and says how many of the
// window's rows those were, and when its read of the stored flows stops early, newest first, which
// window it read. The service runs on the real Postgres with the flows an agent shipped; a
// clock that jumps stands in for a slow read or evaluation, which real timing could not make certain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantContext } from '../../../api/services/context.ts';
import { previewImpact } from '../../../api/services/policies/impact.ts';
import { type Database, openDatabase } from '../../../db/index.ts';
import type { FlowLogEntry } from '../../../policy/flow-log.ts';
import type { NormalisedResource } from '../../../policy/kinds/define.ts';
import { parseObject } from '../../../policy/kinds/registry.ts';
import { createAgentToken } from '../../support/api-client.ts';
import type { TestControlPlane } from '../../support/control-plane.ts';
import { startWithTenantCluster } from '../../support/tenant-with-cluster.ts';

const HOUR = 3_600_000;
/** Older and busier traffic of the same clients, outside the day the first cases look back on. */
const OLDER = [30, 40].map((hours) => ({ hours, count: 1_000 }));
/** Six outside clients of the database, busiest first. */
const CLIENTS = [60, 50, 40, 30, 20, 10].map((count, i) => ({ remote: `203.0.113.${i + 1}`, count }));

function resource(manifest: unknown): NormalisedResource {
  const parsed = parseObject(manifest);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.resource;
}

/** Only the web pods may reach the database: every outside client's flow would be denied. */
const dbFromWeb = resource({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'db-ingress', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] },
});

describe('impact preview time bound', () => {
  let control: TestControlPlane;
  let database: Database;
  let ctx: TenantContext;
  let clusterId: string;
  let newest: Date;

  beforeAll(async () => {
    const started = await startWithTenantCluster('postgres');
    control = started.control;
    clusterId = started.clusterId;
    const token = await createAgentToken(started.api, started.key, clusterId);
    const inventory = {
      namespaces: [{ name: 'shop' }],
      endpoints: [
        { namespace: 'shop', name: 'db-0', labels: { app: 'db' }, ipv4: ['198.18.0.10'] },
        { namespace: 'shop', name: 'web-5c8d7b9f4-xk2lp', labels: { app: 'web' }, ipv4: ['198.18.0.1'] },
      ],
    };
    expect((await started.api.put('/v1/agent/inventory?nodeName=node-1', { key: token, body: inventory })).status).toBe(200);
    newest = new Date(Date.now() - HOUR);
    const entry = (end: Date, remote: string, count: number): FlowLogEntry => ({
      startTime: new Date(end.getTime() - 15_000).toISOString(),
      endTime: end.toISOString(),
      endpoint: 'shop/db-0',
      direction: 'ingress',
      remote,
      protocol: 6,
      port: 5432,
      kind: 'allowed',
      rule: null,
      count,
      bytes: 60 * count,
    });
    const entries = [
      ...CLIENTS.map(({ remote, count }) => entry(newest, remote, count)),
      ...OLDER.flatMap(({ hours, count }) => CLIENTS.map(({ remote }) => entry(new Date(Date.now() - hours * HOUR), remote, count))),
    ];
    expect((await started.api.post('/v1/agent/flows', { key: token, body: { nodeName: 'node-1', entries } })).status).toBe(204);
    database = await openDatabase({ url: control.databaseUrl });
    ctx = { db: database.db, caller: { tenantId: started.tenantId, role: 'owner', actor: 'test' } };
  });
  afterAll(async () => {
    await database?.close();
    await control?.stop();
  });

  const request = (hours = 24) => ({ clusterId, before: [], after: [dbFromWeb], since: new Date(Date.now() - hours * HOUR) });

  it('evaluates every flow and says nothing of sampling when the budget suffices', async () => {
    const impact = await previewImpact(ctx, request());
    expect(impact.flowsEvaluated).toBe(CLIENTS.length);
    expect(impact.sampled).toBeUndefined();
    expect(impact.totals.allowToDeny).toBe(210);
  });

  it('answers with the busiest flows and says it sampled when the budget runs out', async () => {
    // Each reading of the clock is 200 ms later than the one before: the budget ends after a few flows.
    let now = 0;
    const impact = await previewImpact(ctx, request(), { clock: () => (now += 200) });
    expect(impact.sampled).toEqual({ rows: impact.flowsEvaluated, of: CLIENTS.length, since: impact.since });
    expect(impact.flowsEvaluated).toBeGreaterThan(0);
    expect(impact.flowsEvaluated).toBeLessThan(CLIENTS.length);
    const busiest = CLIENTS.slice(0, impact.flowsEvaluated);
    expect(impact.changes.map((change) => [change.source, change.count])).toEqual(busiest.map((client) => [client.remote, client.count]));
    expect(impact.totals.allowToDeny).toBe(busiest.reduce((sum, client) => sum + client.count, 0));
  });

  it('reads the whole window of two days when the budget suffices', async () => {
    const impact = await previewImpact(ctx, request(48));
    expect(impact.sampled).toBeUndefined();
    expect(impact.totals.allowToDeny).toBe(210 + OLDER.length * CLIENTS.length * 1_000);
  });

  it('reads the newest flows first and names the narrower window it read when the budget is spent', async () => {
    // No budget at all: the read stops after its first slice, the newest flows', and the busier older
    // ones are never read.
    const impact = await previewImpact(ctx, request(48), { budgetMs: 0 });
    expect(impact.sampled).toBeDefined();
    const read = Date.parse(impact.sampled!.since);
    expect(read).toBeGreaterThan(Date.parse(impact.since));
    expect(read).toBeGreaterThan(Date.now() - 30 * HOUR);
    expect(read).toBeLessThanOrEqual(newest.getTime());
    expect(impact.sampled).toMatchObject({ rows: CLIENTS.length, of: CLIENTS.length });
    expect(impact.flowsEvaluated).toBe(CLIENTS.length);
    expect(impact.totals.allowToDeny).toBe(210);
  });
});
