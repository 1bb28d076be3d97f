// `npm run bench -- console [--json]`: the web console's figures (issue 11). Not a test: it measures
// and prints a markdown table (or, with --json, one JSON object).
//
// 1. JavaScript size: gzipped bytes of the first load (the entry chunk and its static imports) and of
//    everything (with the lazy editor chunk), from the build's record (console/build/bundle-sizes.ts).
// 2. Time to interactive on the embedded default: `palisade serve` as its own process on a fresh
//    PGlite data directory (as `npm start` runs it), Chromium with a fresh profile each round. From
//    page.goto until the page's main control is visible and enabled: the sign-in button (a cold
//    visitor), and the clusters table for a signed-in member (session probe plus the first API read).
//    Median of ROUNDS rounds; also the browser's own domContentLoaded for the same loads.
// 3. Live tail rate: a signed-in Flows page open on one cluster while the bench ships flows through
//    the agent endpoint (POST /v1/agent/flows, the agent token) at rising rates for PHASE_SECONDS each,
//    in batches every 100 ms. A rate is kept up with when, within CATCH_UP_MS of the last batch, the
//    page has received every flow shipped (its live-tail counter, counted in the page as the events
//    arrive and are rendered in the next animation frame). The tenant moves to the enterprise plan
//    and the flows come from as many nodes as keep each under the plan's rows per node a minute, so
//    the figure is the page's, not the intake cap folding rows (flow-intake.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { readBuildInfo } from '../../console/build/build-info.ts';
import { PLANS } from '../../policy/plan/limits.ts';
import { progress } from '../progress.ts';
import { startEmbeddedServer } from './embedded-server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ROUNDS = 5;
const RATES = [50, 100, 200, 500, 1_000, 2_000];
const PHASE_SECONDS = 5;
const CATCH_UP_MS = 1_000;
const BATCH_MS = 100;
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const PASSWORD = 'bench password 123456';
const PLAN = 'enterprise';
/** Nodes enough that none ships more than its plan's rows a minute, with a fifth to spare. */
const nodesFor = (flowsPerSecond: number) => Math.ceil((flowsPerSecond * 60 * 1.2) / PLANS[PLAN].flowRowsPerAgentMinute);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

async function json<T>(url: string, path: string, init: RequestInit & { body?: string } = {}): Promise<T> {
  const response = await fetch(`${url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

function flow(index: number) {
  const end = new Date();
  return {
    startTime: new Date(end.getTime() - 15_000).toISOString(),
    endTime: end.toISOString(),
    endpoint: 'shop/backend',
    direction: 'ingress' as const,
    remote: `198.18.${(index >> 8) & 255}.${index & 255}`,
    protocol: 6,
    port: 8080,
    kind: 'denied' as const,
    rule: { tier: 'default', policyId: 'NetworkPolicy/shop/bench', ruleIndex: 'default' as const, action: 'Deny' as const },
    count: 1,
    bytes: 60,
  };
}

export async function runConsoleBench(options: { json: boolean }): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'palisade-console-bench-'));
  const profile = mkdtempSync(join(tmpdir(), 'palisade-console-bench-chromium-'));
  progress('console bench: starting the embedded control plane (builds the console when stale)');
  const server = await startEmbeddedServer(dataDir);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const info = readBuildInfo(join(ROOT, 'console', 'dist'));
    const email = 'bench@console.example';
    const signup = await json<{ tenant: { id: string } }>(server.url, '/v1/signup', {
      method: 'POST',
      body: JSON.stringify({ tenantName: 'console-bench', email, password: PASSWORD }),
    });

    const coldMs: number[] = [];
    const warmMs: number[] = [];
    const domContentLoadedMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      progress(`console bench: time to interactive, round ${round + 1} of ${ROUNDS}`);
      const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      let started = performance.now();
      await page.goto('/sign-in');
      await page.getByRole('button', { name: 'Sign in' }).waitFor({ state: 'visible' });
      coldMs.push(performance.now() - started);
      domContentLoadedMs.push(await page.evaluate(() => performance.getEntriesByType('navigation')[0]!.toJSON().domContentLoadedEventEnd as number));
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/clusters$/);
      started = performance.now();
      await page.goto('/clusters');
      await page.getByRole('button', { name: 'Register cluster' }).waitFor({ state: 'visible' });
      warmMs.push(performance.now() - started);
      await context.close();
    }

    progress('console bench: live tail');
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/clusters$/);
    // Through the page, with its session cookie and CSRF token, as the console itself would.
    const { clusterId, token } = await page.evaluate(async (plan) => {
      const session = await (await fetch('/v1/session')).json();
      const headers = { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken as string };
      const planChange = await fetch('/v1/tenant/plan', { method: 'PUT', headers, body: JSON.stringify({ plan }) });
      if (!planChange.ok) throw new Error(`PUT /v1/tenant/plan: ${planChange.status} ${await planChange.text()}`);
      const cluster = await (await fetch('/v1/clusters', { method: 'POST', headers, body: JSON.stringify({ name: 'bench' }) })).json();
      const minted = await (await fetch(`/v1/clusters/${cluster.id}/agent-tokens`, { method: 'POST', headers, body: '{}' })).json();
      return { clusterId: cluster.id as string, token: minted.token as string };
    }, PLAN);
    await page.goto(`/clusters/${clusterId}/flows`);
    const live = await page
      .getByRole('status')
      .filter({ hasText: 'live' })
      .waitFor({ timeout: 30_000 })
      .then(
        () => true,
        () => false,
      );
    if (!live) progress('console bench: the flow stream never went live (GET /v1/clusters/{id}/flows/stream missing?): no live tail figures');
    const received = async () => Number(await page.getByRole('status').getAttribute('data-received'));
    const rates: { flowsPerSecond: number; shipped: number; received: number; keptUp: boolean; catchUpMs: number | null }[] = [];
    let shipped = 0;
    for (const rate of live ? RATES : []) {
      progress(`console bench: live tail at ${rate} flows/s for ${PHASE_SECONDS} s`);
      const perBatch = Math.max(1, Math.round((rate * BATCH_MS) / 1_000));
      const nodes = nodesFor(rate);
      const phaseStart = performance.now();
      for (let batch = 0; batch < (PHASE_SECONDS * 1_000) / BATCH_MS; batch++) {
        const entries = Array.from({ length: perBatch }, (_, i) => flow(shipped + i));
        const response = await fetch(`${server.url}/v1/agent/flows`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ nodeName: `bench-node-${batch % nodes}`, entries }),
        });
        if (!response.ok) throw new Error(`shipping flows: ${response.status} ${await response.text()}`);
        shipped += perBatch;
        const due = phaseStart + (batch + 1) * BATCH_MS;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      const lastBatch = performance.now();
      let catchUpMs: number | null = null;
      while (performance.now() - lastBatch < CATCH_UP_MS * 5) {
        if ((await received()) >= shipped) {
          catchUpMs = performance.now() - lastBatch;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const keptUp = catchUpMs !== null && catchUpMs <= CATCH_UP_MS;
      rates.push({ flowsPerSecond: rate, shipped, received: await received(), keptUp, catchUpMs: catchUpMs === null ? null : Math.round(catchUpMs) });
      if (!keptUp) break;
    }
    await context.close();

    const result = {
      firstLoadGzipBytes: info?.firstLoadGzipBytes ?? null,
      totalGzipBytes: info?.totalGzipBytes ?? null,
      timeToInteractiveMs: {
        signInCold: Math.round(median(coldMs)),
        clustersSignedIn: Math.round(median(warmMs)),
        domContentLoaded: Math.round(median(domContentLoadedMs)),
      },
      liveTail: { rates, sustainedFlowsPerSecond: Math.max(0, ...rates.filter((rate) => rate.keptUp).map((rate) => rate.flowsPerSecond)) },
      tenantId: signup.tenant.id,
    };
    const table = [
      '| figure | value |',
      '| --- | --- |',
      `| first load JS (gzip) | ${((result.firstLoadGzipBytes ?? 0) / 1024).toFixed(1)} KiB |`,
      `| all JS (gzip) | ${((result.totalGzipBytes ?? 0) / 1024).toFixed(1)} KiB |`,
      `| time to interactive, sign-in (cold, median of ${ROUNDS}) | ${result.timeToInteractiveMs.signInCold} ms |`,
      `| time to interactive, clusters (signed in) | ${result.timeToInteractiveMs.clustersSignedIn} ms |`,
      `| domContentLoaded (sign-in) | ${result.timeToInteractiveMs.domContentLoaded} ms |`,
      ...rates.map(
        (rate) =>
          `| live tail at ${rate.flowsPerSecond} flows/s | ${rate.keptUp ? 'kept up' : 'fell behind'} (${rate.received}/${rate.shipped}, caught up ${rate.catchUpMs ?? '-'} ms) |`,
      ),
      `| live tail sustained | ${result.liveTail.sustainedFlowsPerSecond} flows/s |`,
    ].join('\n');
    if (options.json) {
      process.stderr.write(`${table}\n`);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      process.stdout.write(`${table}\n`);
    }
    return 0;
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}
