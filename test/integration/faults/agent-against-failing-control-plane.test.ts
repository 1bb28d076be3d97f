// The agent behind a stand-in for a control plane gone wrong: a proxy in front of the real one that,
// on command, answers every request with a 500, with an HTML error page, or trickles bytes. The agent
// keeps enforcing its last good bundle, spaces its retries with growing, randomised delays,
// abandons a trickling body after a total-time bound, and once the control plane answers again its
// status report names what went wrong.
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchBundle, pollBundles } from '../../../agent/bundle/client.ts';
import { loadAgentConfig } from '../../../agent/config.ts';
import { runAgent } from '../../../agent/main.ts';
import { BUNDLE_PATH } from '../../../policy/bundle/http.ts';
import { apiClient, createAgentToken, createCluster, createPolicy, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';
import { capturingLogger, RecordingDataplane, smallInventory, tempDir } from '../../unit/agent/daemon-fixtures.ts';

type Mode = 'pass' | 'error' | 'html' | 'trickle';

interface StandIn {
  url: string;
  mode: Mode;
  /** When each bundle request arrived (ms, performance.now()). */
  bundleRequests: number[];
  /** The status reports that reached the real control plane. */
  statusReports: { errors: { code: string }[] }[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function startStandIn(upstream: string): Promise<StandIn> {
  const trickles = new Set<NodeJS.Timeout>();
  const standIn: StandIn = { url: '', mode: 'pass', bundleRequests: [], statusReports: [], close: async () => {} };
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/';
    if (path.startsWith(BUNDLE_PATH)) standIn.bundleRequests.push(performance.now());
    const body = await readBody(request);
    if (standIn.mode === 'error') return void response.writeHead(500, { 'content-type': 'text/plain' }).end('upstream exploded');
    if (standIn.mode === 'html') {
      return void response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    }
    if (standIn.mode === 'trickle') {
      response.writeHead(200, { 'content-type': 'application/jose' });
      const timer = setInterval(() => response.write('e'), 200);
      trickles.add(timer);
      response.once('close', () => {
        clearInterval(timer);
        trickles.delete(timer);
      });
      return;
    }
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== 'host' && name !== 'content-length')) as Record<
      string,
      string
    >;
    const answer = await fetch(`${upstream}${path}`, { method: request.method, headers, body: body.length > 0 ? new Uint8Array(body) : undefined });
    const text = await answer.text();
    if (path.startsWith('/v1/agent/status') && answer.ok) standIn.statusReports.push(JSON.parse(body.toString('utf8')));
    const forwarded: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (name !== 'content-length' && name !== 'content-encoding' && name !== 'transfer-encoding') forwarded[name] = value;
    });
    response.writeHead(answer.status, forwarded).end(text);
  };
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => response.writeHead(502).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = async () => {
    for (const timer of trickles) clearInterval(timer);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return standIn;
}

describe('the agent against a failing control plane', () => {
  let control: TestControlPlane;
  let standIn: StandIn;
  let setup: { tenantId: string; clusterId: string; token: string };

  beforeAll(async () => {
    control = await startTestControlPlane('pglite', { LONG_POLL_MAX_SECONDS: '30' });
    const api = apiClient(control.url);
    const { key, tenantId } = await signUp(api);
    const cluster = await createCluster(api, key);
    await createPolicy(api, key, cluster.id);
    setup = { tenantId, clusterId: cluster.id, token: await createAgentToken(api, key, cluster.id) };
    standIn = await startStandIn(control.url);
  });
  afterAll(async () => {
    await standIn?.close();
    await control?.stop();
  });

  it('spaces its retries with growing, randomised delays (the cap: test/unit/agent/daemon-client.test.ts)', async () => {
    standIn.mode = 'error';
    standIn.bundleRequests.length = 0;
    const abort = new AbortController();
    const failures: string[] = [];
    const polling = pollBundles(
      { controlPlaneUrl: standIn.url, token: async () => setup.token, waitSeconds: 1, maxBytes: 1 << 20, errorBackoff: { initialMs: 100, maxMs: 800 } },
      { knownRevision: () => 0, onBundle: async () => 'accepted', onFailure: (failure) => failures.push(failure.code) },
      abort.signal,
    );
    await expect.poll(() => standIn.bundleRequests.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(9);
    abort.abort();
    await polling;
    const gaps = standIn.bundleRequests.slice(1, 9).map((at, index) => at - standIn.bundleRequests[index]!);
    console.log(`[backoff] delays between retries: ${gaps.map((gap) => gap.toFixed(0)).join(', ')} ms`);
    // Ceilings 100, 200, 400, 800, 800...: each delay is at least half its ceiling, so the waits grow
    // to the cap. Only lower bounds: a loaded machine lengthens delays, it never shortens them.
    const ceilings = [100, 200, 400, 800, 800, 800, 800, 800];
    gaps.forEach((gap, index) => {
      expect(gap).toBeGreaterThanOrEqual(ceilings[index]! / 2 - 5);
    });
    // Randomised: the delays at the cap are not all the same.
    const atCap = gaps.slice(3).map((gap) => Math.round(gap / 10));
    expect(new Set(atCap).size).toBeGreaterThan(1);
    expect(new Set(failures)).toEqual(new Set(['HTTP_STATUS']));
  });

  it('abandons a trickling body after the long-poll wait plus its grace', async () => {
    standIn.mode = 'trickle';
    const result = await fetchBundle({
      controlPlaneUrl: standIn.url,
      token: async () => setup.token,
      knownRevision: 0,
      waitSeconds: 1,
      graceMs: 500,
      maxBytes: 1 << 20,
    });
    // The body never ends: answering at all is abandoning it, and the answer says why.
    expect(result).toMatchObject({ kind: 'failed', code: 'TIMEOUT' });
  });

  it('keeps enforcing through 500s and HTML, and reports what went wrong once the control plane answers', async () => {
    standIn.mode = 'pass';
    const dir = await tempDir('palisade-agent-fault-');
    const trustRootPath = join(dir.path, 'trust-root.json');
    await writeFile(trustRootPath, await (await fetch(`${control.url}/v1/trust-root`)).text());
    const inventoryPath = join(dir.path, 'inventory.json');
    await writeFile(inventoryPath, JSON.stringify(smallInventory()));
    const tokenPath = join(dir.path, 'token');
    await writeFile(tokenPath, `${setup.token}\n`);
    await mkdir(join(dir.path, 'state'), { recursive: true });
    const loaded = await loadAgentConfig({
      argv: [
        `--control-plane-url=${standIn.url}`,
        `--token-file=${tokenPath}`,
        `--trust-root=${trustRootPath}`,
        `--tenant-id=${setup.tenantId}`,
        `--cluster-id=${setup.clusterId}`,
        '--node-name=node-a',
        `--state-dir=${join(dir.path, 'state')}`,
        `--inventory-file=${inventoryPath}`,
        '--wait-seconds=1',
        '--status-interval-seconds=3600',
      ],
      env: {},
    });
    if (!loaded.ok) throw new Error(loaded.message);
    const { logger } = capturingLogger();
    const dataplane = new RecordingDataplane();
    const started = await runAgent(loaded.config, logger, { dataplane });
    if (!started.ok) throw new Error(started.message);
    const { daemon } = started;
    try {
      await expect.poll(() => daemon.appliedRevision, { timeout: 15_000 }).toBeGreaterThan(0);
      const enforced = daemon.appliedRevision;
      const applies = dataplane.applies.length;

      standIn.mode = 'error';
      await expect.poll(() => daemon.status().errors.map((error) => error.code), { timeout: 10_000 }).toContain('BUNDLE_FETCH_HTTP_STATUS');
      standIn.mode = 'html';
      const htmlFrom = standIn.bundleRequests.length;
      await expect.poll(() => standIn.bundleRequests.length, { timeout: 10_000 }).toBeGreaterThan(htmlFrom);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Neither a 500 nor a page of HTML moved enforcement: the last good bundle stays applied.
      expect(daemon.appliedRevision).toBe(enforced);
      expect(dataplane.applies.length).toBe(applies);

      const reportsBefore = standIn.statusReports.length;
      standIn.mode = 'pass';
      await expect
        .poll(() => standIn.statusReports.slice(reportsBefore).flatMap((report) => report.errors.map((error) => error.code)), { timeout: 15_000 })
        .toContain('BUNDLE_FETCH_HTTP_STATUS');
      expect(daemon.appliedRevision).toBe(enforced);
    } finally {
      await daemon.stop();
      await started.flows.stop();
      await dir.remove();
    }
  });
});
