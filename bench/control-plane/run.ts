// `npm run bench -- control-plane [--json]`: is the API fast enough to share (issue 10)? Starts the
// control plane on a fresh database of the real Postgres and loads it from this process over HTTP
// only, so it measures whatever implementation is running:
//
// 1. api: authenticated GET /v1/clusters from 50 clients for 10 s (readsPerSec, readP99Ms); one-object
//    applies from 10 clients, each its own tenant, for 10 s (writesPerSec, writeP99Ms); the API process's
//    CPU milliseconds per read and per write (readServerCpuMs, writeServerCpuMs: less noisy than rates on
//    a shared machine). Reads and writes come from http-load.c in a process of its own: fetch in this
//    process, against a server that does nothing, topped out near the read rates it was measuring (it
//    measured itself), and during the writes its CPU came out of the same two cores the API, the worker
//    and Postgres were saturating; http-load.c does twenty times as many there. Each is warmed up for
//    1 s first, not counted. Its ceilings for reads and writes, fetch's for reads (loadGenerator), and
//    GET /healthz through the server without middleware or database (healthzPerSec) are printed beside them.
// 2. storedPolicy: one tenant holding about 1.6 MB of accepted policy; sequential small applies in it
//    (smallApplyP50Ms) while another tenant reads its clusters from 5 clients (otherTenantP50Ms).
// 3. longPoll: 10,000 agents long-poll one cluster's bundle, from two child processes
//    (waiter-process.ts) so their sockets don't delay this process's timing. Once the server's own
//    gauge of parked polls stops growing (parkedOnServer), its CPU over 5 s with nothing else going on
//    (parkedCpuPct, of one core), then another tenant's read p99 over 5 s (otherTenantP99Ms, beside
//    benchLoopDelayP99Ms: this process's own event-loop delay meanwhile, which inflates it); then one
//    write, and the time from it to each waiter's answer (wakeP50Ms, wakeP99Ms) with the server's CPU
//    seconds for the wake. `held` is how many were still waiting when the write came (a capped
//    long-poll answers 429 at once); answeredBeforeTheWrite counts the others by status or by the
//    connection's failure (ECONNRESET...).
// 4. fairness: tenant B reads its clusters from 5 clients for 5 s alone (aloneP99Ms), then again
//    while tenant A, holding the stored policy of 2., runs 40 readers and 10 writers as fast as the
//    server answers (otherTenantP99Ms); ratio is the second over the first (target: under 2). The
//    bench lifts the rate limits, so what keeps B's latency is the per-tenant concurrency cap. B's
//    reads and A's come from http-load.c processes, A's writes from fetch here: with B measured by
//    fetch in this process beside A's load, B's figure counted this process's own event-loop delay.
//    atShippedLimits: the same on a control plane of its own that keeps the rate limits it ships with;
//    B reads within its limit (5 clients, each every 100 ms, for 10 s) while A floods reads and
//    applies from 50 connections (http-load.c), most of them answered 429.
//
// 5. amplification: the issue's amplifying YAML bodies (435 KB and 870 KB expanding to 1 and 2 million
//    peers), each sent once on Postgres and on the embedded default while another tenant reads: the
//    answer, its time, that tenant's p99, and the API process's peak resident memory (amplification.ts).
//
// `--only api,storedPolicy,longPoll,fairness,amplification` runs some sections (fairness needs storedPolicy's
// tenant and makes it when storedPolicy is not run).
//
// BENCH_SERVER_DIR runs another checkout's control plane (a `git archive` of main with node_modules
// linked in, say) under the same load, for a before/after on the same machine.
//
// Each figure stands beside the one the issue measured before the fixes (same machine, same load).

import { fork } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { progress } from '../progress.ts';
import { measureAmplificationOnBoth } from './amplification.ts';
import { type HttpLoadGenerator, httpLoadGenerator } from './http-load.ts';
import { closedLoop, forMs, type LoadResult, percentile } from './load.ts';
import { type BenchServer, startBenchServer } from './server.ts';
import { apply, type BenchTenant, call, countedNetworkPolicyBody, networkPolicy, newAgentToken, newTenant } from './tenants.ts';
import type { WaiterAnswer, WaiterMessage, WaiterShare } from './waiter-process.ts';

const READERS = 50;
const WRITERS = 10;
const LOAD_MS = 10_000;
const WAITERS = 10_000;
const WAITER_BATCH = 500;
const PARKED_MS = 5_000;
/**
 * 199 policies of 100 rules (about 8 KB each): the issue's 1.6 MB of stored policy in one tenant, one
 * policy short of the free plan's 200 so the small applies (one policy, "small") are accepted.
 */
const STORED_POLICIES = 199;
const RULES_PER_STORED_POLICY = 100;
const SMALL_APPLIES = 20;
const FAIRNESS_MS = 5_000;
const FAIRNESS_OTHER_CLIENTS = 5;
const FAIRNESS_HEAVY_READERS = 40;
const FAIRNESS_HEAVY_WRITERS = 10;

export const CONTROL_PLANE_SECTIONS = ['api', 'storedPolicy', 'longPoll', 'fairness', 'amplification'] as const;
export type ControlPlaneSection = (typeof CONTROL_PLANE_SECTIONS)[number];

/** What the issue measured on this machine before the fixes. */
const ISSUE_BASELINE = {
  api: { readsPerSec: 740, readP99Ms: 146 },
  storedPolicy: { smallApplyP50Ms: 1_500, otherTenantP50Ms: 1_479 },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rounded = (value: number) => Math.round(value * 10) / 10;

/** How long each load generator's ceiling is measured. */
const CEILING_MS = 3_000;

/**
 * The generators' ceilings: http-load.c against its own do-nothing server, reading from READERS
 * connections and writing (an apply's body, its counter rewritten each time) from WRITERS; and fetch in
 * this process (what the reads, then the writes, were measured with before) reading from READERS clients.
 */
async function loadGeneratorCeilings(generator: HttpLoadGenerator) {
  progress(`api: the load generators' ceilings against a do-nothing server`);
  return generator.withTrivialServer(async (trivial) => {
    const httpLoad = await generator.run({ url: trivial, path: '/' }, READERS, 500, CEILING_MS);
    const httpLoadWrites = await generator.run({ url: trivial, path: '/', yamlBody: countedNetworkPolicyBody('bench-write') }, WRITERS, 500, CEILING_MS);
    await closedLoop(READERS, forMs(500), async () => (await call(trivial, 'GET', '/', undefined)).status === 200);
    const fetchLoop = await closedLoop(READERS, forMs(CEILING_MS), async () => (await call(trivial, 'GET', '/', undefined)).status === 200);
    return {
      httpLoadCeilingPerSec: Math.round(httpLoad.perSecond),
      fetchCeilingPerSec: Math.round(fetchLoop.perSecond),
      httpLoadWriteCeilingPerSec: Math.round(httpLoadWrites.perSecond),
    };
  });
}

/** The API process's CPU milliseconds per request while `load` ran (its user plus system time, of every core). */
async function withCpuPerRequest(server: BenchServer, load: () => Promise<LoadResult>): Promise<LoadResult & { serverCpuMsPerRequest: number }> {
  const before = server.cpuSeconds();
  const result = await load();
  return { ...result, serverCpuMsPerRequest: Math.round(((server.cpuSeconds() - before) * 1000 * 1000) / Math.max(1, result.requests)) / 1000 };
}

async function measureApi(server: BenchServer, reader: BenchTenant, generator: HttpLoadGenerator) {
  const { url } = server;
  const ceilings = await loadGeneratorCeilings(generator);
  progress(`api: GET /healthz, ${READERS} clients for ${CEILING_MS / 1000} s (the server with no database and no middleware)`);
  const healthz = await generator.run({ url, path: '/healthz' }, READERS, 500, CEILING_MS);
  progress(`api: ${READERS} readers for ${LOAD_MS / 1000} s`);
  await generator.run({ url, path: '/v1/clusters', key: reader.key }, READERS, 0, 1_000);
  const reads = await withCpuPerRequest(server, () => generator.run({ url, path: '/v1/clusters', key: reader.key }, READERS, 0, LOAD_MS));
  progress(`api: ${WRITERS} writers for ${LOAD_MS / 1000} s`);
  const writers = await Promise.all(Array.from({ length: WRITERS }, () => newTenant(url)));
  // Connection i writes as tenant i; each apply changes its one policy's port (the counter).
  const applies = writers.map((writer) => ({
    url,
    path: `/v1/apply?cluster=${writer.clusterId}`,
    key: writer.key,
    yamlBody: countedNetworkPolicyBody('bench-write'),
  }));
  await generator.run(applies, WRITERS, 0, 1_000);
  const writes = await withCpuPerRequest(server, () => generator.run(applies, WRITERS, 0, LOAD_MS));
  return {
    readsPerSec: rounded(reads.perSecond),
    readP99Ms: rounded(reads.p99Ms),
    writesPerSec: rounded(writes.perSecond),
    writeP99Ms: rounded(writes.p99Ms),
    failures: reads.failures + writes.failures,
    readP50Ms: rounded(reads.p50Ms),
    writeP50Ms: rounded(writes.p50Ms),
    readServerCpuMs: reads.serverCpuMsPerRequest,
    writeServerCpuMs: writes.serverCpuMsPerRequest,
    healthzPerSec: Math.round(healthz.perSecond),
    loadGenerator: {
      reads: `bench/control-plane/http-load.c (epoll, ${READERS} keep-alive connections, in its own process)`,
      writes: `bench/control-plane/http-load.c (${WRITERS} keep-alive connections, each its own tenant's, in its own process)`,
      ...ceilings,
    },
  };
}

/** A tenant holding about 1.6 MB of accepted policy. */
async function heavyTenant(url: string): Promise<{ heavy: BenchTenant; storedBytes: number }> {
  progress(`stored policy: ${STORED_POLICIES} policies of ${RULES_PER_STORED_POLICY} rules in one tenant`);
  const heavy = await newTenant(url);
  let storedBytes = 0;
  for (let first = 0; first < STORED_POLICIES; first += 20) {
    const batch = Array.from({ length: Math.min(20, STORED_POLICIES - first) }, (_, index) =>
      networkPolicy(`stored-${first + index}`, RULES_PER_STORED_POLICY),
    );
    storedBytes += batch.reduce((sum, policy) => sum + JSON.stringify(policy).length, 0);
    const status = await apply(url, heavy, batch);
    if (status !== 200) throw new Error(`storing policy: ${status}`);
  }
  return { heavy, storedBytes };
}

async function measureStoredPolicy(url: string, heavy: BenchTenant, storedBytes: number, other: BenchTenant) {
  progress(`stored policy: ${SMALL_APPLIES} small applies, another tenant reading meanwhile`);
  const applyMs: number[] = [];
  let applying = true;
  const reads = closedLoop(
    5,
    () => applying,
    async () => (await call(url, 'GET', '/v1/clusters', other.key)).status === 200,
  );
  for (let index = 0; index < SMALL_APPLIES; index++) {
    const started = performance.now();
    const status = await apply(url, heavy, [networkPolicy('small', 1, index)]);
    applyMs.push(performance.now() - started);
    if (status !== 200) throw new Error(`small apply: ${status}`);
  }
  applying = false;
  const otherReads = await reads;
  return { storedBytes, smallApplyP50Ms: rounded(percentile(applyMs, 0.5)), otherTenantP50Ms: rounded(otherReads.p50Ms) };
}

/** The cluster's newest revision, once it is above `above` (a build lands a moment after its write). */
async function currentRevision(url: string, token: string, above = 0): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const answer = await call(url, 'GET', '/v1/agent/bundle', token);
    const revision = Number(answer.headers.get('x-palisade-revision'));
    if (answer.status === 200 && revision > above) return revision;
    await sleep(200);
  }
  throw new Error(`no bundle above revision ${above} was built within 30 s`);
}

/** The waiters' processes: two share the machine's two cores with the server and Postgres. */
const WAITER_PROCESSES = 2;

interface WaiterProcesses {
  opened: Promise<void>;
  /** The answers so far, over every process. */
  report(): Promise<WaiterAnswer[]>;
  done: Promise<WaiterAnswer[]>;
}

function startWaiterProcesses(share: Omit<WaiterShare, 'count'>): WaiterProcesses {
  const children = Array.from({ length: WAITER_PROCESSES }, (_, index) => {
    const count = Math.floor(WAITERS / WAITER_PROCESSES) + (index < WAITERS % WAITER_PROCESSES ? 1 : 0);
    const child = fork(fileURLToPath(new URL('./waiter-process.ts', import.meta.url)), [JSON.stringify({ ...share, count } satisfies WaiterShare)], {
      execArgv: ['--import', 'tsx'],
    });
    const next = (kind: WaiterMessage['kind']) =>
      new Promise<WaiterMessage>((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`a waiter process exited with ${code} before "${kind}"`));
        const onMessage = (message: WaiterMessage) => {
          if (message.kind !== kind) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(message);
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
      });
    const answersOf = (message: WaiterMessage) => ('answers' in message ? message.answers : []);
    return {
      opened: next('opened'),
      done: next('done').then((message) => {
        child.disconnect();
        return answersOf(message);
      }),
      report: () => {
        const reported = next('report');
        child.send('report');
        return reported.then(answersOf);
      },
    };
  });
  return {
    opened: Promise.all(children.map((child) => child.opened)).then(() => {}),
    report: async () => (await Promise.all(children.map((child) => child.report()))).flat(),
    done: Promise.all(children.map((child) => child.done)).then((answers) => answers.flat()),
  };
}

/** The bench process's own event-loop delay p99 while `work` runs: how much the load generator skews what it times. */
async function withLoopDelay<T>(work: () => Promise<T>): Promise<{ result: T; benchLoopDelayP99Ms: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  try {
    const result = await work();
    return { result, benchLoopDelayP99Ms: rounded(delay.percentile(99) / 1e6) };
  } finally {
    delay.disable();
  }
}

/**
 * Until every waiter is parked on the server or answered (refused, reset), or the server's parked
 * count has not grown for 3 s (a loaded machine takes a while to accept 10,000 connections).
 */
async function untilParked(server: BenchServer, waiters: WaiterProcesses): Promise<number> {
  let parked = -1;
  let still = 0;
  for (;;) {
    await sleep(1_000);
    const now = await server.parkedWaiters();
    if (now + (await waiters.report()).length >= WAITERS) return now;
    still = now > parked ? 0 : still + 1;
    if (still >= 3) return now;
    parked = Math.max(parked, now);
  }
}

async function measureLongPoll(url: string, server: BenchServer, waited: BenchTenant, other: BenchTenant) {
  // Parked on the revision the write gives, not on the cluster's first one still there when the
  // write's build lands: that would answer every waiter before the measured write.
  const token = await newAgentToken(url, waited);
  const before = await currentRevision(url, token);
  await apply(url, waited, [networkPolicy('long-poll', 1)]);
  const revision = await currentRevision(url, token, before);
  progress(`long-poll: ${WAITERS} waiters on revision ${revision}, from ${WAITER_PROCESSES} processes`);
  const waiters = startWaiterProcesses({ url, token, revision, batch: WAITER_BATCH / WAITER_PROCESSES, batchEveryMs: 100, waitSeconds: 60 });
  await waiters.opened;
  const parkedOnServer = await untilParked(server, waiters);
  progress(`long-poll: parked for ${PARKED_MS / 1000} s with nothing else, then ${PARKED_MS / 1000} s with another tenant reading`);
  const cpuPct = async (work: () => Promise<unknown>) => {
    const cpuBefore = server.cpuSeconds();
    const started = performance.now();
    await work();
    return rounded(((server.cpuSeconds() - cpuBefore) / ((performance.now() - started) / 1000)) * 100);
  };
  const parkedCpuPct = await cpuPct(() => sleep(PARKED_MS));
  let otherReads: Awaited<ReturnType<typeof closedLoop>> | undefined;
  const { benchLoopDelayP99Ms } = await withLoopDelay(async () => {
    otherReads = await closedLoop(5, forMs(PARKED_MS), async () => (await call(url, 'GET', '/v1/clusters', other.key)).status === 200);
  });
  const answeredEarly = await waiters.report();
  const wroteAt = performance.timeOrigin + performance.now();
  const cpuBeforeWake = server.cpuSeconds();
  await apply(url, waited, [networkPolicy('long-poll', 1, 1)]);
  const answers = await waiters.done;
  const wakeCpuSeconds = server.cpuSeconds() - cpuBeforeWake;
  const woken = answers.filter((answer) => answer.at >= wroteAt && answer.status === 200);
  return {
    waiters: WAITERS,
    held: WAITERS - answeredEarly.length,
    parkedOnServer,
    woken: woken.length,
    wakeP50Ms: rounded(
      percentile(
        woken.map((answer) => answer.at - wroteAt),
        0.5,
      ),
    ),
    wakeP99Ms: rounded(
      percentile(
        woken.map((answer) => answer.at - wroteAt),
        0.99,
      ),
    ),
    wakeServerCpuSeconds: rounded(wakeCpuSeconds),
    parkedCpuPct,
    otherTenantP99Ms: rounded(otherReads?.p99Ms ?? Number.NaN),
    benchLoopDelayP99Ms,
    answeredBeforeTheWrite: answeredEarly.reduce<Record<string, number>>((counts, answer) => {
      const outcome = answer.failure ?? String(answer.status);
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      return counts;
    }, {}),
  };
}

/** Tenant B's p99 alone and beside A's load, and their ratio (issue 10's target: under 2). */
function besideFigures(alone: LoadResult, beside: LoadResult) {
  return {
    aloneP99Ms: rounded(alone.p99Ms),
    otherTenantP99Ms: rounded(beside.p99Ms),
    ratio: Math.round((beside.p99Ms / alone.p99Ms) * 100) / 100,
    otherTenantFailures: alone.failures + beside.failures,
  };
}

async function measureFairness(server: BenchServer, heavy: BenchTenant, other: BenchTenant, generator: HttpLoadGenerator) {
  const { url } = server;
  // B's reads and A's come from http-load.c processes of their own: measured with fetch in this
  // process, B's latency also counted the time this process's event loop spent sending A's load.
  const otherRead = { url, path: '/v1/clusters', key: other.key };
  progress(`fairness: tenant B alone, ${FAIRNESS_OTHER_CLIENTS} readers for ${FAIRNESS_MS / 1000} s`);
  const alone = await generator.run(otherRead, FAIRNESS_OTHER_CLIENTS, 1_000, FAIRNESS_MS);
  progress(`fairness: tenant B beside tenant A's ${FAIRNESS_HEAVY_READERS} readers and ${FAIRNESS_HEAVY_WRITERS} writers`);
  // Tenant A's load settles first, so B is measured beside it, not beside its ramp; A's readers run on
  // past B's last request.
  const settleMs = 1_000;
  const heavyReads = generator.run({ url, path: '/v1/clusters', key: heavy.key }, FAIRNESS_HEAVY_READERS, 0, settleMs + FAIRNESS_MS + 500);
  let heavyWriting = true;
  const writeAnswers: Record<string, number> = {};
  let port = 0;
  const heavyWrites = closedLoop(
    FAIRNESS_HEAVY_WRITERS,
    () => heavyWriting,
    async () => {
      const status = await apply(url, heavy, [networkPolicy('small', 1, ++port)]);
      writeAnswers[status] = (writeAnswers[status] ?? 0) + 1;
      return true;
    },
  );
  const cpuBefore = { api: server.cpuSeconds(), worker: server.workerCpuSeconds(), at: performance.now() };
  const beside = await generator.run(otherRead, FAIRNESS_OTHER_CLIENTS, settleMs, FAIRNESS_MS);
  const seconds = (performance.now() - cpuBefore.at) / 1000;
  const cpuPct = (used: number) => rounded((used / seconds) * 100);
  heavyWriting = false;
  const [reads] = await Promise.all([heavyReads, heavyWrites]);
  return {
    ...besideFigures(alone, beside),
    aloneP50Ms: rounded(alone.p50Ms),
    otherTenantP50Ms: rounded(beside.p50Ms),
    otherTenantReadsPerSec: { alone: rounded(alone.perSecond), beside: rounded(beside.perSecond) },
    heavyTenant: { readsPerSec: rounded(reads.perSecond), readFailures: reads.failures, writeAnswers },
    // Of one core, while B ran beside A: the worker builds A's bundles on the same machine here.
    besideCpuPct: { api: cpuPct(server.cpuSeconds() - cpuBefore.api), worker: cpuPct(server.workerCpuSeconds() - cpuBefore.worker) },
  };
}

/** A tenant that keeps under the shipped read limit (100/s): 5 clients, one request each per 100 ms. */
const PACED_READ_INTERVAL_MS = 100;
/** Paced reads are few a second: a longer window gives the p99 enough of them. */
const PACED_FAIRNESS_MS = 10_000;

/**
 * Fairness as deployed: a control plane of its own with the rate limits it ships with. Tenant B reads
 * within its limit; tenant A floods reads and applies from 50 connections as fast as answers come, and
 * most of its answers are 429s. B's p99 alone and beside the flood, and what A got through.
 */
async function measureFairnessAtShippedLimits(generator: HttpLoadGenerator) {
  progress('fairness at the shipped rate limits: a control plane of its own, with the limits a deployment runs');
  const server = await startBenchServer('postgres', { rateLimits: 'shipped' });
  try {
    const { url } = server;
    const flooder = await newTenant(url);
    const other = await newTenant(url);
    const otherRead = { url, path: '/v1/clusters', key: other.key, intervalMs: PACED_READ_INTERVAL_MS };
    progress(`fairness at the shipped limits: tenant B alone, ${FAIRNESS_OTHER_CLIENTS} clients each reading every ${PACED_READ_INTERVAL_MS} ms`);
    const alone = await generator.run(otherRead, FAIRNESS_OTHER_CLIENTS, 1_000, PACED_FAIRNESS_MS);
    progress(`fairness at the shipped limits: tenant B beside tenant A's flood of ${FAIRNESS_HEAVY_READERS} readers and ${FAIRNESS_HEAVY_WRITERS} writers`);
    const settleMs = 1_000;
    const floodMs = settleMs + PACED_FAIRNESS_MS + 500;
    const floodReads = generator.run({ url, path: '/v1/clusters', key: flooder.key }, FAIRNESS_HEAVY_READERS, 0, floodMs);
    const floodWrite = { url, path: `/v1/apply?cluster=${flooder.clusterId}`, key: flooder.key, yamlBody: JSON.stringify(networkPolicy('flood', 1)) };
    const floodWrites = generator.run(floodWrite, FAIRNESS_HEAVY_WRITERS, 0, floodMs);
    const beside = await generator.run(otherRead, FAIRNESS_OTHER_CLIENTS, settleMs, PACED_FAIRNESS_MS);
    const [reads, writes] = await Promise.all([floodReads, floodWrites]);
    const answered = (load: LoadResult) => ({
      perSec: rounded(load.perSecond),
      notOkPerSec: rounded((load.failures * load.perSecond) / Math.max(1, load.requests)),
    });
    return {
      ...besideFigures(alone, beside),
      otherTenantReadsPerSec: rounded(beside.perSecond),
      // Answers a second to the flood, and of those the ones that were not 200 (429s: the flood is over its limits).
      flooder: { reads: answered(reads), applies: answered(writes) },
    };
  } finally {
    await server.stop();
  }
}

async function withHttpLoad<T>(work: (generator: HttpLoadGenerator) => Promise<T>): Promise<T> {
  const generator = httpLoadGenerator();
  try {
    return await work(generator);
  } finally {
    generator.close();
  }
}

export async function runControlPlaneBench(options: { json: boolean; sections: readonly ControlPlaneSection[] }): Promise<number> {
  progress('control plane: a fresh database on the real Postgres, palisade serve in its own process');
  const server = await startBenchServer();
  const wanted = new Set(options.sections);
  try {
    const reader = await newTenant(server.url);
    const other = await newTenant(server.url);
    const api = wanted.has('api') ? await withHttpLoad((generator) => measureApi(server, reader, generator)) : undefined;
    const stored = wanted.has('storedPolicy') || wanted.has('fairness') ? await heavyTenant(server.url) : undefined;
    const storedPolicy = wanted.has('storedPolicy') && stored ? await measureStoredPolicy(server.url, stored.heavy, stored.storedBytes, other) : undefined;
    const fairness =
      wanted.has('fairness') && stored
        ? await withHttpLoad(async (generator) => ({
            ...(await measureFairness(server, stored.heavy, other, generator)),
            atShippedLimits: await measureFairnessAtShippedLimits(generator),
          }))
        : undefined;
    const longPoll = wanted.has('longPoll') ? await measureLongPoll(server.url, server, reader, other) : undefined;
    const amplification = wanted.has('amplification') ? await measureAmplificationOnBoth(server) : undefined;
    const results = { api, longPoll, storedPolicy, fairness, amplification, baselineFromIssue: ISSUE_BASELINE };
    if (options.json) process.stdout.write(`${JSON.stringify(results)}\n`);
    else process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return 0;
  } finally {
    progress('cleaning up');
    await server.stop();
  }
}
