// The production build, run as the images and the Lambda run it: `build/build.ts` into a temporary
// directory, then plain `node` on its output, no tsx anywhere. The compiled control plane (embedded
// PGlite) and the compiled agent (dry-run dataplane) carry a policy write to an applied bundle; the
// Lambda bundle, alone in its directory with no node_modules, answers API Gateway events against Postgres.
// A broken build (a file read that misses dist/, a package the bundle cannot reach) fails here.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFF_THREAD_YAML_BYTES, YAML_THREAD_UNAVAILABLE } from '../../api/http/yaml-parse-pool.ts';
import { migrate, openDatabase } from '../../db/index.ts';
import { newKeyRing } from '../../policy/bundle/index.ts';
import { buildInto, cleanEnv, type Running, runProcess } from '../support/compiled-output.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const ROOT = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'palisade-compiled-'));
let dist = join(work, 'dist');
const started: Running[] = [];
const cleanups: (() => void)[] = [() => rmSync(work, { recursive: true, force: true })];

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Running {
  const running = runProcess(command, args, env, cwd);
  started.push(running);
  return running;
}

beforeAll(async () => {
  dist = await buildInto(work);
}, 300_000);

afterAll(async () => {
  for (const { child } of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups) cleanup();
});

async function api<T>(base: string, method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; json: T }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : undefined) as T };
}

describe('the images', () => {
  it('start files the build made: both Dockerfile targets and the Helm chart name outputs in dist/', () => {
    const dockerfile = readFileSync(join(ROOT, 'infra/docker/Dockerfile'), 'utf8');
    const entryPoints = [...dockerfile.matchAll(/^ENTRYPOINT (\[.*\])$/gm)].map(([, json]) => (JSON.parse(json!) as string[]).at(-1)!);
    // The chart's template is generated (npm run chart): the agent's command is a YAML list there.
    const chartCommand = readFileSync(join(ROOT, 'infra/helm/palisade-agent/templates/agent.yaml'), 'utf8').match(
      /command:\n\s+- node\n(?:\s+- --\S+\n)*\s+- (dist\/\S+\.js)\n/,
    )?.[1];
    expect(entryPoints).toEqual(['dist/bin/palisade.js', 'dist/agent/main.js']);
    expect(chartCommand).toBe('dist/agent/main.js');
    for (const file of [...entryPoints, chartCommand!]) expect(existsSync(join(dist, file.replace(/^dist\//, ''))), file).toBe(true);
  });
});

describe('the compiled agent', () => {
  it("explains a bad setting in English, with English alone of zod's locales in the bundle", async () => {
    const agent = run('node', [join(dist, 'agent/main.js'), '--log-level', 'loud'], cleanEnv({}));
    expect(await agent.exited).toBe(2);
    expect(agent.output()).toMatch(/CONFIG_INVALID: .*logLevel: Invalid option: expected one of "trace"/);
    // build/agent-bundle.ts: the other 63 locales are dropped (Hebrew's messages start "קלט לא תקין")
    const shipped = readdirSync(join(dist, 'agent'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));
    for (const file of shipped) expect(readFileSync(join(dist, 'agent', file), 'utf8'), file).not.toContain('קלט לא תקין');
  });
});

describe('the compiled control plane and agent', () => {
  it('carry a policy write to a bundle the agent applies, and stop cleanly', { timeout: 180_000 }, async () => {
    const server = run(
      process.execPath,
      [join(dist, 'bin/palisade.js'), 'serve'],
      cleanEnv({ DATA_DIR: join(work, 'data'), PORT: '0', DEMO_TENANT: 'false', LOG_LEVEL: 'warn' }),
    );
    const [, url] = await server.line(/listening on (http:\/\/\S+)/);
    const base = url!;

    // The migrations and the Swagger UI assets are read from disk at run time: both must be in reach.
    expect((await fetch(`${base}/docs/assets/swagger-ui.css`)).status).toBe(200);
    const signup = await api<{ tenant: { id: string }; apiKey: { key: string } }>(base, 'POST', '/v1/signup', {
      tenantName: 'Compiled',
      email: 'ops@example.com',
    });
    expect(signup.status).toBe(201);
    const key = signup.json.apiKey.key;
    const cluster = await api<{ id: string }>(base, 'POST', '/v1/clusters', { name: 'prod' }, key);
    expect(cluster.status).toBe(201);
    const agentToken = await api<{ token: string }>(base, 'POST', `/v1/clusters/${cluster.json.id}/agent-tokens`, { name: 'daemonset' }, key);
    expect(agentToken.status).toBe(201);

    const agentDir = join(work, 'agent');
    mkdirSync(agentDir);
    writeFileSync(join(agentDir, 'trust-root.json'), await (await fetch(`${base}/v1/trust-root`)).text());
    writeFileSync(join(agentDir, 'token'), `${agentToken.json.token}\n`);
    const inventory = {
      namespaces: [{ name: 'shop', labels: {} }],
      endpoints: [
        {
          namespace: 'shop',
          name: 'web',
          labels: { app: 'web' },
          ipv4: ['198.18.0.10'],
          ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
          node: 'node-a',
          hostInterface: 'veth0',
        },
      ],
    };
    writeFileSync(join(agentDir, 'inventory.json'), JSON.stringify(inventory));
    const agent = run(
      process.execPath,
      [
        join(dist, 'agent/main.js'),
        `--control-plane-url=${base}`,
        `--token-file=${join(agentDir, 'token')}`,
        `--trust-root=${join(agentDir, 'trust-root.json')}`,
        `--tenant-id=${signup.json.tenant.id}`,
        `--cluster-id=${cluster.json.id}`,
        '--node-name=node-a',
        `--state-dir=${join(agentDir, 'state')}`,
        `--inventory-file=${join(agentDir, 'inventory.json')}`,
        '--dataplane=dry-run',
        // Short long-polls: stopping waits for the one in flight to end.
        '--wait-seconds=5',
        '--log-level=warn',
      ],
      cleanEnv({}),
    );

    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-web', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port: 80 }] }] },
    };
    const written = await api(base, 'POST', `/v1/clusters/${cluster.json.id}/policies`, policy, key);
    expect(written.status).toBe(201);
    // A YAML body this large is parsed on the thread whose script the build emits beside the server's.
    const largeYaml = `${Array.from({ length: 3_000 }, (_, i) => `# filler ${i}`).join('\n')}\nkind: NetworkPolicy\nmetadata: *nope\n`;
    expect(largeYaml.length).toBeGreaterThan(OFF_THREAD_YAML_BYTES);
    const refused = await fetch(`${base}/v1/clusters/${cluster.json.id}/policies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/yaml' },
      body: largeYaml,
    });
    expect(refused.status).toBe(400);
    expect((await refused.json()).detail).toContain('line 3002');
    expect(server.output()).not.toContain(YAML_THREAD_UNAVAILABLE);

    type Bundles = { items: { revision: number }[] };
    type Agents = { items: { nodeName: string; appliedRevision: number | null }[] };
    const latestRevision = async () =>
      Math.max(
        0,
        ...(await api<Bundles>(base, 'GET', `/v1/clusters/${cluster.json.id}/bundles?limit=100`, undefined, key)).json.items.map((bundle) => bundle.revision),
      );
    await expect.poll(latestRevision, { timeout: 30_000 }).toBeGreaterThan(0);
    const revision = await latestRevision();
    await expect
      .poll(async () => (await api<Agents>(base, 'GET', `/v1/clusters/${cluster.json.id}/agents`, undefined, key)).json.items, { timeout: 30_000 })
      .toEqual([expect.objectContaining({ nodeName: 'node-a', appliedRevision: revision })]);

    agent.child.kill('SIGTERM');
    expect(await agent.exited, agent.output()).toBe(0);
    server.child.kill('SIGTERM');
    expect(await server.exited, server.output()).toBe(0);
  });
});

describe('the compiled Lambda function', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    // Migrations are the deploy's one-off task, not the function's: apply them as that task would.
    const owner = await openDatabase({ url: database.url, maxConnections: 1 });
    await migrate(owner.db);
    await owner.close();
  });

  afterAll(async () => database?.drop());

  it('answers API Gateway events from its own directory, with no node_modules but what the build put there', { timeout: 60_000 }, async () => {
    // Alone in a directory of its own, as Lambda unpacks the asset: no node_modules up the tree.
    const lambdaDir = mkdtempSync(join(tmpdir(), 'palisade-lambda-'));
    cleanups.push(() => rmSync(lambdaDir, { recursive: true, force: true }));
    cpSync(join(dist, 'lambda'), lambdaDir, { recursive: true });
    // The thread large YAML bodies are parsed on, beside the handler where the pool looks for it.
    expect(existsSync(join(lambdaDir, 'yaml-worker.mjs'))).toBe(true);
    const event = (method: string, path: string, body?: unknown) => ({
      version: '2.0',
      routeKey: '$default',
      rawPath: path,
      rawQueryString: '',
      headers: { host: 'api.example.com', 'content-type': 'application/json' },
      requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' }, requestId: 'test', stage: '$default' },
      body: body === undefined ? undefined : JSON.stringify(body),
      isBase64Encoded: false,
    });
    const events = [
      event('GET', '/v1/trust-root'),
      event('POST', '/v1/signup', { tenantName: 'Lambda', email: 'ops@example.com' }),
      // Read from the swagger-ui-dist files the build ships beside the bundle.
      event('GET', '/docs/assets/swagger-ui.css'),
    ];
    const script = `
      const { lambdaHandler } = await import(${JSON.stringify(join(lambdaDir, 'index.mjs'))});
      const answers = [];
      for (const event of ${JSON.stringify(events)}) answers.push(await lambdaHandler(event, {}));
      process.stdout.write(JSON.stringify(answers));
      process.exit(0);`;
    const invoke = run(
      process.execPath,
      ['--input-type=module', '--eval', script],
      cleanEnv({ DATABASE_URL: database.url, SIGNING_KEYS: JSON.stringify(await newKeyRing(new Date())), LOG_LEVEL: 'silent' }),
      lambdaDir,
    );
    const code = await invoke.exited;
    expect(code, invoke.output()).toBe(0);
    const [trustRoot, signup, swaggerCss] = JSON.parse(invoke.output()) as { statusCode: number; body: string; headers: Record<string, string> }[];
    expect(trustRoot!.statusCode).toBe(200);
    expect(JSON.parse(trustRoot!.body).keys).toHaveLength(1);
    expect(signup!.statusCode).toBe(201);
    expect(JSON.parse(signup!.body).tenant.name).toBe('Lambda');
    expect(swaggerCss!.statusCode).toBe(200);
    expect(swaggerCss!.headers['content-type']).toMatch(/^text\/css/);
  });
});
