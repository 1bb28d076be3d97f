// The agent delivers the inventory it enforces with to the control plane (PUT /v1/agent/inventory),
// when its hash changes, so explanations see the pods and labels the dataplane sees: the stored hash
// becomes the one the agent reports in its status.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../../agent/config.ts';
import type { AgentDaemon } from '../../../agent/daemon.ts';
import { startLocalExplainServer } from '../../../agent/explain/server.ts';
import { runAgent } from '../../../agent/main.ts';
import { type InventoryInput, inventoryHash, inventorySchema } from '../../../policy/inventory.ts';
import { type ApiClient, apiClient, createAgentToken, createCluster, createPolicy, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';
import { capturingLogger, RecordingDataplane, smallInventory, tempDir } from '../../unit/agent/daemon-fixtures.ts';

/** A failed expectation carries the agent's warnings and inventory lines, which say why. */
async function withAgentLog(lines: { level: number; msg: string }[], check: () => Promise<unknown>): Promise<void> {
  try {
    await check();
  } catch (error) {
    const log = lines.filter((l) => l.level >= 40 || /inventory/.test(l.msg)).map((l) => JSON.stringify(l));
    throw new Error(`${(error as Error).message}\nagent log:\n${log.join('\n')}`, { cause: error });
  }
}

describe('the agent reports its inventory', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let daemon: AgentDaemon | undefined;

  beforeAll(async () => {
    control = await startTestControlPlane('postgres');
    api = apiClient(control.url);
    dir = await tempDir('palisade-explain-agent-');
  });
  afterAll(async () => {
    await daemon?.stop();
    await control?.stop();
    await dir?.remove();
  });

  it('posts the inventory when its hash changes, and explanations use it', async () => {
    const { key, tenantId } = await signUp(api);
    const cluster = await createCluster(api, key);
    const token = await createAgentToken(api, key, cluster.id);
    await createPolicy(api, key, cluster.id, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web-80', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port: 80 }] }] },
    });

    await mkdir(join(dir.path, 'inv'), { recursive: true });
    const paths = { trustRoot: join(dir.path, 'trust-root.json'), token: join(dir.path, 'token'), inventory: join(dir.path, 'inv', 'inventory.json') };
    await writeFile(paths.trustRoot, JSON.stringify((await api.get('/v1/trust-root')).body));
    await writeFile(paths.token, token);
    const writeInventory = async (inventory: InventoryInput) => {
      await writeFile(`${paths.inventory}.tmp`, JSON.stringify(inventory));
      await rename(`${paths.inventory}.tmp`, paths.inventory);
    };
    await writeInventory(smallInventory('api'));
    const loaded = await loadAgentConfig({
      argv: [
        `--control-plane-url=${control.url}`,
        `--token-file=${paths.token}`,
        `--trust-root=${paths.trustRoot}`,
        `--tenant-id=${tenantId}`,
        `--cluster-id=${cluster.id}`,
        '--node-name=node-a',
        `--state-dir=${join(dir.path, 'state')}`,
        `--inventory-file=${paths.inventory}`,
        '--wait-seconds=5',
        '--status-interval-seconds=1',
      ],
      env: {},
    });
    if (!loaded.ok) throw new Error(loaded.message);
    const { logger, lines } = capturingLogger();
    const started = await runAgent(loaded.config, logger, { dataplane: new RecordingDataplane() });
    if (!started.ok) throw new Error(started.message);
    daemon = started.daemon;

    const explain = () => api.get(`/v1/clusters/${cluster.id}/explain?from=shop/api&to=shop/web&port=80`, { key });
    const agentHash = async () => (await api.get(`/v1/clusters/${cluster.id}/agents`, { key })).body.items[0]?.inventoryHash;
    const first = inventoryHash(inventorySchema.parse(smallInventory('api')));
    await expect.poll(agentHash, { timeout: 15_000 }).toBe(first);
    await withAgentLog(lines, () => expect.poll(async () => (await explain()).body.inventoryHash, { timeout: 15_000 }).toBe(first));
    expect((await explain()).body).toMatchObject({
      verdict: 'allow',
      ingress: { trace: [{ tier: 'default', policy: 'NetworkPolicy/shop/web-80', ruleIndex: 0, action: 'Allow' }] },
    });

    // A relabel: the agent applies it, then delivers it; the stored hash follows the agent's.
    const relabelled = smallInventory('api');
    relabelled.endpoints[0]!.labels = { app: 'web', tier: 'gold' };
    await writeInventory(relabelled);
    const second = inventoryHash(inventorySchema.parse(relabelled));
    await expect.poll(agentHash, { timeout: 15_000 }).toBe(second);
    await withAgentLog(lines, () => expect.poll(async () => (await explain()).body.inventoryHash, { timeout: 15_000 }).toBe(second));

    // The node answers the same question locally, from what it enforces, and agrees with the control plane.
    const local = await startLocalExplainServer({ port: 0, explain: (q) => daemon!.explain(q) });
    try {
      const ask = async (query: string) => {
        const response = await fetch(`${local.url}/explain?${query}`);
        return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
      };
      for (const query of ['from=shop/api&to=shop/web&port=80', 'from=shop/web&to=shop/api&port=81&protocol=UDP']) {
        const [mine, theirs] = [await ask(query), await api.get(`/v1/clusters/${cluster.id}/explain?${query}`, { key })];
        expect(mine.status).toBe(200);
        const { inventoryReportedAt: _at, inventoryReportedBy: _by, ...central } = theirs.body;
        expect(mine.body).toEqual(central);
      }
      expect(await ask('from=shop/api&to=shop/ghost&port=80')).toMatchObject({
        status: 404,
        type: 'application/problem+json',
        body: { errors: [{ path: 'query.to' }] },
      });
      expect((await ask('from=api&to=shop/web&port=80')).status).toBe(422);
    } finally {
      await local.close();
    }
  });
});
