// The compiled control plane as the AWS deployment runs it (infra/aws): every process reaches Postgres
// through an RDS-Proxy-like stand-in that takes only IAM auth tokens (test/support/rds-iam-proxy.ts;
// sslmode=disable, the stand-in has no certificate), and the signing key ring lives in a Secrets
// Manager secret on the SigV4-checking stand-in (test/support/aws-stand-in.ts). The operator's first
// ring goes in with `signing-keys init`; `migrate` is the one-off task, without which a server that does
// not migrate at start refuses to run; `serve` in the delivery role serves the agents' endpoints and
// nothing else; `signing-keys rotate` rewrites the secret and the next bundle is signed with the new
// key. The compiled Lambda, alone in its directory, reads the same secret and serves a gzip bundle the
// way API Gateway needs it.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyRingSchema, type TrustRoot, verifyBundle } from '../../policy/bundle/index.ts';
import { MIN_COMPRESSED_BYTES } from '../../policy/bundle/wire-encoding.ts';
import { type ApiClient, apiClient, createAgentToken, createCluster, createPolicy, networkPolicy, signUp, unique } from '../support/api-client.ts';
import { AwsStandIn, BASE_CREDENTIALS } from '../support/aws-stand-in.ts';
import { revisionCarrying, waitForRevision } from '../support/bundles.ts';
import { buildInto, cleanEnv, type Running, runProcess } from '../support/compiled-output.ts';
import { processSettings } from '../support/palisade-process.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { type RdsIamProxy, startRdsIamProxy } from '../support/rds-iam-proxy.ts';

const work = mkdtempSync(join(tmpdir(), 'palisade-aws-runtime-'));
let dist = '';
const started: Running[] = [];
let database: TestDatabase;
let proxy: RdsIamProxy;
const aws = new AwsStandIn();
let secretArn = '';
let deploymentEnv: Record<string, string> = {};

/** `node dist/bin/palisade.js <args>` with the deployment's environment and `env` over it. */
function palisade(args: string[], env: Record<string, string> = {}): Running {
  const running = runProcess(process.execPath, [join(dist, 'bin/palisade.js'), ...args], cleanEnv({ ...deploymentEnv, ...env }));
  started.push(running);
  return running;
}

async function finished(running: Running): Promise<{ code: number | null; output: string }> {
  const code = await running.exited;
  return { code, output: running.output() };
}

const currentRing = () => keyRingSchema.parse(JSON.parse(aws.secrets.get(secretArn)!.versions.at(-1)!.secretString));

beforeAll(async () => {
  dist = await buildInto(work);
  database = await createTestDatabase();
  await aws.start();
  // What the data stack leaves in the secret before the operator's first ring: a random placeholder.
  secretArn = aws.createSecret('palisade/signing-keys', 'generated-placeholder-not-a-ring');
  const upstream = new URL(database.url);
  proxy = await startRdsIamProxy({
    upstream: { host: upstream.hostname, port: Number(upstream.port || 5432) },
    secretOf: (accessKeyId) => (accessKeyId === BASE_CREDENTIALS.accessKeyId ? BASE_CREDENTIALS.secretAccessKey : undefined),
  });
  const proxied = new URL(database.url);
  proxied.host = `${proxy.host}:${proxy.port}`;
  proxied.searchParams.set('sslmode', 'disable');
  deploymentEnv = {
    ...processSettings(join(work, 'data')),
    // What infra/aws/lib/runtime-environment.ts gives every process, with the stand-ins' addresses.
    DATABASE_URL: proxied.toString(),
    DATABASE_IAM_AUTH: 'true',
    MIGRATE_ON_START: 'false',
    SIGNING_KEYS_SECRET_ARN: secretArn,
    AWS_REGION: aws.region,
    AWS_ENDPOINT_URL: aws.url,
    AWS_ACCESS_KEY_ID: BASE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: BASE_CREDENTIALS.secretAccessKey,
    // Quick to see a rotation; production re-reads every 5 minutes.
    SIGNING_KEYS_REFRESH_SECONDS: '1',
  };
}, 300_000);

afterAll(async () => {
  for (const { child } of started) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await proxy?.stop();
  await aws.stop();
  await database?.drop();
  rmSync(work, { recursive: true, force: true });
});

const trustRootOf = async (api: ApiClient) => (await api.get<TrustRoot>('/v1/trust-root')).body;

describe('the AWS deployment shape, compiled', () => {
  let delivery: ApiClient;
  let tenantApi: ApiClient;
  let tenant: { tenantId: string; key: string };
  let cluster: { id: string };
  let token: string;
  /** The revision carrying the first test's policy. */
  let firstRevision: number;

  it('refuses a role that is not its command: serve as worker, worker as delivery', { timeout: 60_000 }, async () => {
    const serve = await finished(palisade(['serve'], { PALISADE_ROLE: 'worker' }));
    expect(serve.code).toBe(1);
    expect(serve.output).toContain('PALISADE_ROLE for serve takes all, api or delivery, not worker');
    const worker = await finished(palisade(['worker'], { PALISADE_ROLE: 'delivery' }));
    expect(worker.code).toBe(1);
    expect(worker.output).toContain('PALISADE_ROLE=delivery is a serving role');
  });

  it('puts the first key ring in the secret, once', { timeout: 60_000 }, async () => {
    const init = await finished(palisade(['signing-keys', 'init']));
    expect(init.code, init.output).toBe(0);
    expect(init.output).toContain(`key ring written to secret ${secretArn}`);
    expect(currentRing().keys).toHaveLength(1);
    const again = await finished(palisade(['signing-keys', 'init']));
    expect(again.code).toBe(1);
    expect(again.output).toContain('holds a key ring');
    expect(aws.secrets.get(secretArn)!.versions).toHaveLength(2);
    // Every Secrets Manager call was signed with the base credentials, and verified.
    expect(aws.requests.filter((request) => request.action.startsWith('secretsmanager:')).every((request) => request.signatureValid)).toBe(true);
  });

  it('refuses to serve on an unmigrated database, then `migrate` applies every migration once', { timeout: 90_000 }, async () => {
    const early = await finished(palisade(['serve']));
    expect(early.code).toBe(1);
    expect(early.output).toMatch(/the database lacks \d+ migration\(s\) of this build .*run `palisade migrate` first/);

    const first = await finished(palisade(['migrate']));
    expect(first.code, first.output).toBe(0);
    const [, applied, known] = first.output.match(/applied (\d+) of (\d+) migrations/) ?? [];
    expect(Number(applied)).toBeGreaterThan(0);
    expect(applied).toBe(known);
    const second = await finished(palisade(['migrate']));
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain(`schema current: all ${known} migrations applied before`);
    // Each process authenticated with IAM tokens, and no token was refused.
    expect(proxy.attempts.length).toBeGreaterThan(0);
    expect(proxy.attempts.every((attempt) => attempt.accepted)).toBe(true);
  });

  it('serves a bundle to an agent from the delivery role, which answers nothing else', { timeout: 120_000 }, async () => {
    const deliveryProcess = palisade(['serve'], { PALISADE_ROLE: 'delivery' });
    // The flag overrides PALISADE_ROLE: this process runs the API and the builder (`api` alone would not build).
    const apiProcess = palisade(['serve', '--role', 'all'], { PALISADE_ROLE: 'api', PALISADE_CLOUDWATCH_NAMESPACE: 'Palisade' });
    delivery = apiClient((await deliveryProcess.line(/listening on (http:\/\/\S+)/))[1]!);
    tenantApi = apiClient((await apiProcess.line(/listening on (http:\/\/\S+)/))[1]!);
    // The role that builds publishes its scaling metrics as CloudWatch Embedded Metric Format lines.
    const [emf] = await apiProcess.line(/^\{"_aws".*$/m);
    expect(JSON.parse(emf)).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'Palisade',
            Dimensions: [[]],
            Metrics: [
              { Name: 'QueueDepth', Unit: 'Count' },
              { Name: 'OutboxLagSeconds', Unit: 'Seconds' },
            ],
          },
        ],
      },
      QueueDepth: expect.any(Number),
      OutboxLagSeconds: expect.any(Number),
    });

    tenant = await signUp(tenantApi);
    cluster = await createCluster(tenantApi, tenant.key);
    token = await createAgentToken(tenantApi, tenant.key, cluster.id);
    const policyName = unique('np');
    await createPolicy(tenantApi, tenant.key, cluster.id, networkPolicy(policyName));
    const bundle = await revisionCarrying(delivery, token, policyName);
    firstRevision = bundle.revision;
    const trustRoot = await trustRootOf(delivery);
    const verdict = await verifyBundle(bundle.jws, trustRoot, {
      tenantId: tenant.tenantId,
      clusterId: cluster.id,
      appliedRevision: 0,
      now: new Date(),
      maxBytes: 10 * 1024 * 1024,
    });
    expect(verdict).toMatchObject({ ok: true, keyId: currentRing().active, payload: { revision: bundle.revision } });

    expect((await delivery.get('/healthz')).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/v1/clusters'],
      ['POST', '/v1/signup'],
      ['GET', `/v1/clusters/${cluster.id}/bundles`],
      ['GET', '/openapi.json'],
      ['GET', '/'],
    ] as const) {
      const answer = await delivery.call(method, path, { key: tenant.key, ...(method === 'POST' && { body: { tenantName: 'x', email: 'x@example.com' } }) });
      expect({ path, status: answer.status, type: answer.headers.get('content-type') }).toEqual({ path, status: 404, type: 'application/problem+json' });
    }
    // The same request the delivery role refuses, the API answers.
    expect((await tenantApi.get('/v1/clusters', { key: tenant.key })).status).toBe(200);
  });

  it('signs the next bundle with the key `signing-keys rotate` added to the secret', { timeout: 120_000 }, async () => {
    const before = currentRing();
    const rotate = await finished(palisade(['signing-keys', 'rotate']));
    expect(rotate.code, rotate.output).toBe(0);
    const after = currentRing();
    expect(after.active).not.toBe(before.active);
    expect(after.keys.map((key) => key.kid)).toEqual([before.active, after.active]);
    expect(rotate.output).toContain(`active key is now ${after.active}`);

    // Both processes re-read the secret (every second here): the trust root they serve lists the new key.
    for (const api of [tenantApi, delivery]) {
      await expect.poll(async () => (await trustRootOf(api)).keys.map((key) => key.kid), { timeout: 30_000, interval: 500 }).toContain(after.active);
    }
    const previous = await waitForRevision(delivery, token, firstRevision, 10_000);
    await createPolicy(tenantApi, tenant.key, cluster.id);
    const next = await waitForRevision(delivery, token, previous.revision + 1, 30_000);
    const verdict = await verifyBundle(next.jws, await trustRootOf(delivery), {
      tenantId: tenant.tenantId,
      clusterId: cluster.id,
      appliedRevision: previous.revision,
      now: new Date(),
      maxBytes: 10 * 1024 * 1024,
    });
    expect(verdict).toMatchObject({ ok: true, keyId: after.active });
  });

  it('serves the bundle gzip-compressed from the Lambda function, base64-encoded for API Gateway', { timeout: 60_000 }, async () => {
    const lambdaDir = mkdtempSync(join(tmpdir(), 'palisade-lambda-'));
    cpSync(join(dist, 'lambda'), lambdaDir, { recursive: true });
    const event = (path: string, headers: Record<string, string>) => ({
      version: '2.0',
      routeKey: '$default',
      rawPath: path,
      rawQueryString: '',
      headers: { host: 'api.example.com', ...headers },
      requestContext: { http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' }, requestId: 'test', stage: '$default' },
      isBase64Encoded: false,
    });
    const events = [
      event('/v1/agent/bundle', { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' }),
      event('/v1/clusters', { authorization: `Bearer ${tenant.key}` }),
    ];
    const script = `
      const { lambdaHandler } = await import(${JSON.stringify(join(lambdaDir, 'index.mjs'))});
      const answers = [];
      for (const event of ${JSON.stringify(events)}) answers.push(await lambdaHandler(event, {}));
      process.stdout.write('answers: ' + JSON.stringify(answers) + '\\n');
      process.exit(0);`;
    const invoke = runProcess(
      process.execPath,
      ['--input-type=module', '--eval', script],
      cleanEnv({ ...deploymentEnv, PALISADE_ROLE: 'api', LOG_LEVEL: 'silent' }),
      lambdaDir,
    );
    started.push(invoke);
    const { code, output } = await finished(invoke);
    rmSync(lambdaDir, { recursive: true, force: true });
    expect(code, output).toBe(0);
    type Answer = { statusCode: number; body: string; headers: Record<string, string>; isBase64Encoded: boolean };
    expect(output).toMatch(/^answers: /m);
    // A line of its own: the AWS SDK may warn on stderr (its Node.js support schedule) in the same output.
    const [bundle, clusters] = JSON.parse(output.match(/^answers: (.*)$/m)?.[1] ?? 'null') as Answer[];
    expect(bundle).toMatchObject({ statusCode: 200, isBase64Encoded: true, headers: expect.objectContaining({ 'content-encoding': 'gzip' }) });
    const jws = gunzipSync(Buffer.from(bundle!.body, 'base64')).toString('utf8');
    // Large enough that the server compresses it at all.
    expect(jws.length).toBeGreaterThan(MIN_COMPRESSED_BYTES);
    const verdict = await verifyBundle(jws, await trustRootOf(delivery), {
      tenantId: tenant.tenantId,
      clusterId: cluster.id,
      appliedRevision: 0,
      now: new Date(),
      maxBytes: 10 * 1024 * 1024,
    });
    expect(verdict).toMatchObject({ ok: true, keyId: currentRing().active });
    expect(clusters).toMatchObject({ statusCode: 200 });
  });
});
