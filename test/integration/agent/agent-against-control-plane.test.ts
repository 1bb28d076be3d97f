// The agent daemon against the real control plane, in one process: embedded PGlite in a temporary
// DATA_DIR, the API on an ephemeral port, bundles built and signed by the real builder. Everything on
// the agent side is real (flags parsed by the entry point's config, trust root file, token file, file
// inventory, last good state, long-poll client, status reporter) except the dataplane, a recording
// test double of that seam.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../../agent/config.ts';
import { runAgent } from '../../../agent/main.ts';
import { AGENT_VERSION } from '../../../agent/version.ts';
import { configFromEnv } from '../../../bin/config.ts';
import { type ControlPlane, startControlPlane } from '../../../bin/control-plane.ts';
import { capturingLogger, RecordingDataplane, smallInventory, tempDir } from '../../unit/agent/daemon-fixtures.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let controlPlane: ControlPlane;
let stopped = false;

beforeAll(async () => {
  dir = await tempDir('palisade-agent-it-');
  const config = configFromEnv({ DATA_DIR: join(dir.path, 'control-plane'), PORT: '0', LOG_LEVEL: 'silent', LONG_POLL_MAX_SECONDS: '30' });
  controlPlane = await startControlPlane(config, { logger: pino({ level: 'silent' }) });
}, 120_000);

afterAll(async () => {
  if (!stopped) await controlPlane?.stop();
  await dir?.remove();
});

async function api<T>(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; json: T }> {
  const response = await fetch(`${controlPlane.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : undefined) as T };
}

function networkPolicy(name: string, port: number) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port }] }] },
  };
}

/** The TCP ports the applied bundle's policies allow, to tell one revision's content from another. */
function allowedPorts(dataplane: RecordingDataplane, index: number): number[] {
  return dataplane.applies[index]!.bundle.policy.tiers.flatMap((tier) =>
    tier.policies.flatMap((policy) => policy.ingress.flatMap((rule) => rule.ports.map((port) => port.port ?? 0))),
  );
}

describe('the agent against the real control plane', () => {
  it('applies revision N, gets an update through the long-poll at once, and rides out an outage', async () => {
    // A tenant, a cluster, an agent token and a NetworkPolicy, through the REST API.
    const signup = await api<{ tenant: { id: string }; apiKey: { key: string } }>('POST', '/v1/signup', { tenantName: 'Agent IT', email: 'ops@example.com' });
    expect(signup.status).toBe(201);
    const key = signup.json.apiKey.key;
    const cluster = await api<{ id: string }>('POST', '/v1/clusters', { name: 'prod' }, key);
    expect(cluster.status).toBe(201);
    const agentToken = await api<{ token: string }>('POST', `/v1/clusters/${cluster.json.id}/agent-tokens`, { name: 'daemonset' }, key);
    expect(agentToken.status).toBe(201);
    const policy = await api<{ id: string }>('POST', `/v1/clusters/${cluster.json.id}/policies`, networkPolicy('allow-web', 80), key);
    expect(policy.status).toBe(201);

    // The agent's install: trust root file (as Helm would ship it), token file, inventory file.
    const agentDir = join(dir.path, 'agent');
    await mkdir(agentDir, { recursive: true });
    const trustRootPath = join(agentDir, 'trust-root.json');
    const trustRoot = await fetch(`${controlPlane.url}/v1/trust-root`);
    await writeFile(trustRootPath, await trustRoot.text());
    const inventoryPath = join(agentDir, 'inventory.json');
    await writeFile(inventoryPath, JSON.stringify(smallInventory()));
    const tokenPath = join(agentDir, 'token');
    await writeFile(tokenPath, `${agentToken.json.token}\n`);

    const { logger, lines } = capturingLogger();
    const dataplane = new RecordingDataplane();
    const appliedAt = new Map<number, number>();
    dataplane.onApply = (input) => {
      if (!appliedAt.has(input.bundle.revision)) appliedAt.set(input.bundle.revision, performance.now());
    };
    // As the DaemonSet runs it: flags (and PALISADE_* variables), through the entry point's wiring.
    const stateDir = join(agentDir, 'state');
    const flags = [
      `--control-plane-url=${controlPlane.url}`,
      `--token-file=${tokenPath}`,
      `--trust-root=${trustRootPath}`,
      `--tenant-id=${signup.json.tenant.id}`,
      `--cluster-id=${cluster.json.id}`,
      '--node-name=node-a',
      `--state-dir=${stateDir}`,
      `--inventory-file=${inventoryPath}`,
      '--wait-seconds=20',
      '--status-interval-seconds=3600',
    ];
    const loaded = await loadAgentConfig({ argv: flags, env: {} });
    if (!loaded.ok) throw new Error(loaded.message);
    const started = await runAgent(loaded.config, logger, { dataplane });
    if (!started.ok) throw new Error(started.message);
    const { daemon } = started;

    try {
      // Revision N: the one that carries the policy (the cluster's first, empty bundle may come first).
      await expect.poll(() => dataplane.applies.some((_, i) => allowedPorts(dataplane, i).includes(80)), { timeout: 15_000 }).toBe(true);
      const n = daemon.appliedRevision;
      const bundles = await api<{ items: { revision: number }[] }>('GET', `/v1/clusters/${cluster.json.id}/bundles?limit=100`, undefined, key);
      expect(Math.max(...bundles.json.items.map((bundle) => bundle.revision))).toBe(n);
      expect(allowedPorts(dataplane, dataplane.applies.length - 1)).toEqual([80]);
      // Its status report reached the control plane.
      type Agents = { items: { nodeName: string; appliedRevision: number | null; agentVersion: string | null }[] };
      await expect
        .poll(async () => (await api<Agents>('GET', `/v1/clusters/${cluster.json.id}/agents`, undefined, key)).json.items[0])
        .toMatchObject({ nodeName: 'node-a', appliedRevision: n, agentVersion: AGENT_VERSION });

      // An update: the waiting long-poll returns it as soon as it is built.
      await new Promise((resolve) => setTimeout(resolve, 300)); // let the agent settle into its long-poll
      const before = performance.now();
      const update = await api('PUT', `/v1/policies/${policy.json.id}`, networkPolicy('allow-web', 8080), key);
      expect(update.status).toBe(200);
      await expect.poll(() => daemon.appliedRevision, { timeout: 5_000, interval: 5 }).toBe(n + 1);
      const latencyMs = appliedAt.get(n + 1)! - before;
      console.log(`policy update -> agent applied revision ${n + 1}: ${latencyMs.toFixed(0)} ms (PUT to dataplane.apply)`);
      expect(latencyMs).toBeLessThan(1_000);
      expect(allowedPorts(dataplane, dataplane.applies.length - 1)).toEqual([8080]);

      // The control plane goes away: the agent keeps revision N+1, keeps retrying, nothing fatal.
      const appliesBefore = dataplane.applies.length;
      await controlPlane.stop();
      stopped = true;
      await expect.poll(() => daemon.status().errors.map((error) => error.code), { timeout: 5_000 }).toContain('BUNDLE_FETCH_NETWORK');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(daemon.appliedRevision).toBe(n + 1);
      expect(daemon.status().appliedRevision).toBe(n + 1);
      expect(dataplane.applies.length).toBe(appliesBefore);
      const outcome = await daemon.reportStatus();
      expect(outcome).toMatchObject({ ok: false, code: 'NETWORK' });
      expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    } finally {
      await daemon.stop();
    }
    expect(dataplane.closed).toBe(1);

    // A restart while the control plane is still down: the last good bundle is enforced again at once.
    const restarted = new RecordingDataplane();
    const again = await runAgent(loaded.config, logger, { dataplane: restarted });
    if (!again.ok) throw new Error(again.message);
    try {
      expect(restarted.revisions).toEqual([daemon.appliedRevision]);
      expect(allowedPorts(restarted, 0)).toEqual([8080]);
      expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    } finally {
      await again.daemon.stop();
    }
  }, 60_000);
});
