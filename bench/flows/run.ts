// `npm run bench -- flows [--json] [--database postgres|pglite]`: issue 12's flow figures through the
// running control plane (its own processes, bench/control-plane/server.ts), on the real Postgres and
// then on the embedded PGlite (or the one --database names):
//
// 1. impact: a cluster of 250 pods with 100,000 stored flow rows (shipped through POST /v1/agent/flows
//    by 50 agents, within their cap), then POST /v1/apply?dryRun=true&impact=true of a change, ROUNDS
//    times: the answer's latency (median, spread) beside the same dry run without impact (the
//    baseline: what the preview adds). Shapes: 25,000 distinct flows recorded 4 times each (steady
//    traffic) under a narrow change (a fifth of the endpoints) and a broad one (every endpoint), and
//    100,000 distinct flows (a scan; the preview reads the busiest 50,000) under the broad change.
//    The target is 2 s.
// 2. retention: 100,000 expired rows deleted by the worker's pass (workers/flows/expire.ts, batches
//    of 5,000): rows per second. On PGlite the pass runs in the bench's process once the server has
//    stopped (an embedded database serves one process).
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../db/index.ts';
import type { FlowLogEntry } from '../../policy/flow-log.ts';
import type { InventoryInput } from '../../policy/inventory.ts';
import { expireFlowLogs } from '../../workers/flows/expire.ts';
import { type BenchDatabase, type BenchServer, startBenchServer } from '../control-plane/server.ts';
import { apply, type BenchTenant, call, newAgentToken, newTenant } from '../control-plane/tenants.ts';
import { progress } from '../progress.ts';
import { round, type Sample, sample, withSpread } from '../stats.ts';

const ROUNDS = 5;
const NAMESPACES = 10;
const PODS_PER_NAMESPACE = 25;
const ROWS = 100_000;
/** Rows one agent ships: within the free plan's 2,000 a minute, and one body under 1 MiB. */
const ROWS_PER_AGENT = 2_000;
const TARGET_MS = 2_000;
const EXPIRY_BATCH = 5_000;

const HOUR = 3_600_000;

function inventory(): InventoryInput {
  const namespaces = Array.from({ length: NAMESPACES }, (_, n) => ({ name: `ns-${n}` }));
  const endpoints = namespaces.flatMap((ns, n) =>
    Array.from({ length: PODS_PER_NAMESPACE }, (_, p) => ({
      namespace: ns.name,
      name: `app${p % 5}-5c8d7b9f4-${'bcdfghjklmnpqrstvwxz'[p % 20]}${'bcdfghjklmnpqrstvwxz'[Math.floor(p / 20)]}2k9`,
      labels: { app: `app${p % 5}` },
      ipv4: [`198.18.${n}.${p + 1}`],
    })),
  );
  return { namespaces, endpoints };
}

/**
 * Each namespace's app0 pods (or, `everyPod`, all its pods) accept only `allowFrom` pods of their
 * namespace. From app1 on app0 to app2 on every pod: a change that touches every endpoint's ingress.
 */
function policies(allowFrom: string, everyPod = false) {
  return Array.from({ length: NAMESPACES }, (_, n) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'app0-ingress', namespace: `ns-${n}` },
    spec: {
      podSelector: everyPod ? {} : { matchLabels: { app: 'app0' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: allowFrom } } }] }],
    },
  }));
}

/** `distinct` flows, each recorded ROWS / distinct times in successive buckets of the last hours. */
function flowRows(distinct: number): FlowLogEntry[] {
  const pods = inventory().endpoints;
  const repeats = ROWS / distinct;
  const now = Date.now();
  const rows: FlowLogEntry[] = [];
  for (let index = 0; index < distinct; index++) {
    const server = pods[index % pods.length]!;
    const round = Math.floor(index / pods.length);
    const client = pods[(index * 7 + 3 + round) % pods.length]!;
    const port = 8080 + round;
    for (let repeat = 0; repeat < repeats; repeat++) {
      const end = new Date(now - HOUR - (repeat * 15_000 + (index % 3_600) * 1_000));
      rows.push({
        startTime: new Date(end.getTime() - 15_000).toISOString(),
        endTime: end.toISOString(),
        endpoint: `${server.namespace}/${server.name}`,
        direction: 'ingress',
        remote: client.ipv4![0]!,
        protocol: 6,
        port,
        kind: 'allowed',
        rule: null,
        count: 1 + (index % 5),
        bytes: 600,
      });
    }
  }
  return rows;
}

async function ship(url: string, token: string, rows: readonly FlowLogEntry[], nodePrefix: string) {
  for (let start = 0, node = 0; start < rows.length; start += ROWS_PER_AGENT, node++) {
    const body = { nodeName: `${nodePrefix}-${node}`, entries: rows.slice(start, start + ROWS_PER_AGENT) };
    // Once more on a failed fetch: a kept-alive socket the loaded server closed as it was reused.
    const answer = await call(url, 'POST', '/v1/agent/flows', token, body).catch(() => call(url, 'POST', '/v1/agent/flows', token, body));
    if (answer.status !== 204) throw new Error(`shipping flows: ${answer.status} ${answer.text.slice(0, 300)}`);
  }
}

async function timed(url: string, tenant: BenchTenant, query: string, objects: readonly unknown[]) {
  const stream = objects.map((object) => JSON.stringify(object)).join('\n---\n');
  const started = performance.now();
  const answer = await call(url, 'POST', `/v1/apply?cluster=${tenant.clusterId}&${query}`, tenant.key, stream, 'application/yaml');
  const ms = performance.now() - started;
  if (answer.status !== 200) throw new Error(`dry run: ${answer.status} ${answer.text.slice(0, 300)}`);
  return {
    ms,
    body: JSON.parse(answer.text) as { impact?: { changes: unknown[]; totals: Record<string, number>; sampled?: unknown; flowsEvaluated: number } },
  };
}

interface ImpactRow {
  database: BenchDatabase;
  shape: string;
  change: string;
  rows: number;
  distinctFlows: number;
  impactMs: Sample;
  dryRunMs: Sample;
  ratio: number;
  flowsEvaluated: number;
  groups: number;
  sampled: boolean;
  withinTarget: boolean;
}

const CHANGES = {
  /** One workload of each namespace: a fifth of the endpoints' ingress. */
  narrow: policies('app2'),
  /** Every endpoint's ingress: every stored flow is a candidate. */
  broad: policies('app2', true),
};

async function measureImpact(server: BenchServer, shape: string, distinct: number, changes: readonly (keyof typeof CHANGES)[]): Promise<ImpactRow[]> {
  const tenant = await newTenant(server.url);
  const token = await newAgentToken(server.url, tenant);
  const reported = await call(server.url, 'PUT', '/v1/agent/inventory?nodeName=bench-0', token, inventory());
  if (reported.status !== 200) throw new Error(`inventory: ${reported.status} ${reported.text}`);
  if ((await apply(server.url, tenant, policies('app1'))) !== 200) throw new Error('policies refused');
  progress(`impact (${shape}): shipping ${ROWS} flow rows`);
  await ship(server.url, token, flowRows(distinct), `node-${shape}`);
  const rows: ImpactRow[] = [];
  for (const name of changes) {
    const change = CHANGES[name];
    await timed(server.url, tenant, 'dryRun=true&impact=true', change);
    const impactRuns: number[] = [];
    const dryRunRuns: number[] = [];
    let last: Awaited<ReturnType<typeof timed>>['body'] = {};
    for (let run = 0; run < ROUNDS; run++) {
      progress(`impact (${shape}, ${name} change): round ${run + 1} of ${ROUNDS}`);
      const previewed = await timed(server.url, tenant, 'dryRun=true&impact=true', change);
      impactRuns.push(previewed.ms);
      last = previewed.body;
      dryRunRuns.push((await timed(server.url, tenant, 'dryRun=true', change)).ms);
    }
    rows.push(impactRow(server.database, shape, name, distinct, sample(impactRuns), sample(dryRunRuns), last));
  }
  return rows;
}

function impactRow(
  database: BenchDatabase,
  shape: string,
  change: string,
  distinct: number,
  impactMs: Sample,
  dryRunMs: Sample,
  last: Awaited<ReturnType<typeof timed>>['body'],
): ImpactRow {
  return {
    database,
    shape,
    change,
    rows: ROWS,
    distinctFlows: distinct,
    impactMs,
    dryRunMs,
    ratio: round(impactMs.median / dryRunMs.median, 1),
    flowsEvaluated: last.impact?.flowsEvaluated ?? 0,
    groups: last.impact?.changes.length ?? 0,
    sampled: last.impact?.sampled !== undefined,
    withinTarget: impactMs.median <= TARGET_MS,
  };
}

async function measureRetention(server: BenchServer): Promise<RetentionRow> {
  const tenant = await newTenant(server.url);
  const token = await newAgentToken(server.url, tenant);
  // Free plan: a day's retention; these rows ended two days ago.
  const rows = flowRows(ROWS / 4).map((row) => ({
    ...row,
    startTime: new Date(Date.parse(row.startTime) - 47 * HOUR).toISOString(),
    endTime: new Date(Date.parse(row.endTime) - 47 * HOUR).toISOString(),
  }));
  progress(`retention (${server.database}): shipping ${ROWS} expired rows`);
  await ship(server.url, token, rows, 'expired');
  // The embedded database serves one process: the pass runs here once the server has let go of it.
  if (server.database === 'pglite') await server.halt();
  const database = await openDatabase(server.databaseOptions);
  try {
    progress(`retention (${server.database}): expiry pass`);
    const started = performance.now();
    const pass = await expireFlowLogs(database.db, { batchSize: EXPIRY_BATCH, pauseMs: 0, maxBatches: 1_000 });
    const seconds = (performance.now() - started) / 1000;
    return {
      database: server.database,
      deleted: pass.deleted,
      batches: pass.batches,
      seconds: round(seconds, 2),
      rowsPerSecond: Math.round(pass.deleted / seconds),
      batchSize: EXPIRY_BATCH,
    };
  } finally {
    await database.close();
  }
}

interface RetentionRow {
  database: BenchDatabase;
  deleted: number;
  batches: number;
  seconds: number;
  rowsPerSecond: number;
  batchSize: number;
}

async function measureOn(database: BenchDatabase): Promise<{ impact: ImpactRow[]; retention: RetentionRow }> {
  progress(`flows on ${database}`);
  const server = await startBenchServer(database);
  try {
    const impact = [...(await measureImpact(server, 'steady', ROWS / 4, ['narrow', 'broad'])), ...(await measureImpact(server, 'scan', ROWS, ['broad']))];
    return { impact, retention: await measureRetention(server) };
  } finally {
    await server.stop();
  }
}

export const BENCH_DATABASES: readonly BenchDatabase[] = ['postgres', 'pglite'];

export async function runFlowsBench(options: { json: boolean; databases: readonly BenchDatabase[] }): Promise<number> {
  const impact: ImpactRow[] = [];
  const retention: RetentionRow[] = [];
  for (const database of options.databases) {
    const measured = await measureOn(database);
    impact.push(...measured.impact);
    retention.push(measured.retention);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ impact, retention, targetMs: TARGET_MS }, null, 2)}\n`);
  } else {
    const lines = [
      '| database | shape | change | rows | distinct flows | evaluated | groups | sampled | impact ms | dry run ms (baseline) | ratio | within 2 s |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...impact.map(
        (row) =>
          `| ${row.database} | ${row.shape} | ${row.change} | ${row.rows} | ${row.distinctFlows} | ${row.flowsEvaluated} | ${row.groups} | ${row.sampled} | ${withSpread(row.impactMs, 0)} | ${withSpread(row.dryRunMs, 0)} | ${row.ratio} | ${row.withinTarget} |`,
      ),
      '',
      '| retention: database | deleted | batches of | seconds | rows/s |',
      '| --- | --- | --- | --- | --- |',
      ...retention.map((row) => `| ${row.database} | ${row.deleted} | ${row.batchSize} | ${row.seconds} | ${row.rowsPerSecond} |`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return impact.every((row) => row.withinTarget) ? 0 : 1;
}
