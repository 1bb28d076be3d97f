// A worker process killed (SIGKILL) in the middle of an EKS job, for real: the API and the worker run
// as their own OS processes on a fresh database, the Kubernetes stand-in holds one of the agent
// install's (or removal's) requests so the job is caught mid-flight, the worker is killed there, and
// a new worker process carries the job to its outcome, whichever way the queue lets it recover: BullMQ
// hands a stalled job to the next worker, and a worker that starts asks again for every job the
// clusters' statuses say is unfinished (which is all the in-process queue has).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKeyRing } from '../../../policy/bundle/index.ts';
import { type ApiClient, apiClient, signUp, unique } from '../../support/api-client.ts';
import { AwsStandIn, BASE_CREDENTIALS } from '../../support/aws-stand-in.ts';
import { waitForRevision } from '../../support/bundles.ts';
import { KubernetesStandIns, offboardedCluster, ROLE_ARN, settledCluster, standInCluster } from '../../support/eks-onboarding.ts';
import { type PalisadeProcess, processSettings, SERVE_READY, startPalisade, stopPalisade, WORKER_READY } from '../../support/palisade-process.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const queues = [
  // Its own BullMQ prefix, so jobs queued by other test files on the same Redis never mix in.
  { queue: 'BullMQ on Redis', env: (): Record<string, string> => ({ REDIS_URL, QUEUE_PREFIX: `palisade-test-${randomBytes(4).toString('hex')}` }) },
  { queue: 'the in-process queue', env: (): Record<string, string> => ({}) },
];

describe.each(queues)('EKS jobs whose worker process is killed mid-job ($queue)', ({ env: queueEnv }) => {
  let aws: AwsStandIn;
  let kubernetes: KubernetesStandIns;
  let database: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  let apiProcess: PalisadeProcess | undefined;
  let worker: PalisadeProcess | undefined;
  let api: ApiClient;

  beforeAll(async () => {
    aws = new AwsStandIn();
    await aws.start();
    kubernetes = new KubernetesStandIns(aws);
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'palisade-worker-killed-'));
    env = {
      ...processSettings(dataDir),
      ...queueEnv(),
      DATABASE_URL: database.url,
      SIGNING_KEYS: JSON.stringify(await newKeyRing(new Date())),
      AWS_ENDPOINT_URL: aws.url,
      AWS_ACCESS_KEY_ID: BASE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: BASE_CREDENTIALS.secretAccessKey,
      ONBOARDING_RETRY_BASE_MS: '20',
    };
    // The API first: it applies the migrations the worker then finds done.
    apiProcess = await startPalisade(['serve', '--role', 'api'], env, SERVE_READY);
    api = apiClient(apiProcess.url!);
  }, 120_000);

  afterAll(async () => {
    await stopPalisade(worker);
    await stopPalisade(apiProcess);
    await kubernetes?.stopAll();
    await aws?.stop();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** A tenant whose role the AWS stand-in trusts, and an EKS cluster (with its Kubernetes API) to register. */
  async function tenantAndCluster() {
    const { key } = await signUp(api);
    const tenant = await api.get('/v1/tenant', { key });
    aws.roles.set(ROLE_ARN, { roleArn: ROLE_ARN, externalId: tenant.body.awsExternalId });
    const clusterName = unique('eks');
    aws.clusters.set(clusterName, standInCluster({ name: clusterName, authenticationMode: 'API' }));
    return { key, clusterName, cluster: await kubernetes.for(clusterName) };
  }

  async function killWorker() {
    await stopPalisade(worker, 'SIGKILL');
    expect(worker!.child.signalCode).toBe('SIGKILL');
    worker = undefined;
  }

  it('onboarding killed mid-install reaches waiting-for-agents on the next worker, its objects installed once', { timeout: 240_000 }, async () => {
    const { key, clusterName, cluster } = await tenantAndCluster();
    // The install has created the namespace, service account and RBAC; the Secret with the agent's token is in flight.
    const secretCreate = cluster.hold('create secrets');
    worker = await startPalisade(['worker'], env, WORKER_READY);
    const created = await api.post('/v1/clusters', {
      key,
      body: { name: unique('cluster'), provider: 'eks', aws: { region: 'eu-west-1', clusterName, roleArn: ROLE_ARN } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await secretCreate.arrived;

    await killWorker();
    expect((await api.get(`/v1/clusters/${id}`, { key })).body.status).toBe('installing');
    // The dead worker's request is carried out after all: the next run finds its Secret there.
    secretCreate.release();

    worker = await startPalisade(['worker'], env, WORKER_READY);
    expect(await settledCluster(api, key, id)).toMatchObject({ status: 'waiting-for-agents', onboardingFailure: null });
    const kinds = [...cluster.objects.values()].map((object) => object.kind).sort();
    expect(kinds).toEqual(['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'DaemonSet', 'Namespace', 'Secret', 'ServiceAccount']);
    // The Secret holds the token the finishing run minted (the killed run's is revoked): an agent
    // started from the install fetches its bundle with it.
    const [secret] = cluster.list('Secret');
    const token = Buffer.from((secret!.data as Record<string, string>).token!, 'base64').toString('utf8');
    expect((await waitForRevision(api, token, 1, 30_000)).revision).toBe(1);
  });

  it('offboarding killed mid-removal is finished by the next worker, and the cluster goes away', { timeout: 240_000 }, async () => {
    const { key, clusterName, cluster } = await tenantAndCluster();
    worker ??= await startPalisade(['worker'], env, WORKER_READY);
    const created = await api.post('/v1/clusters', {
      key,
      body: { name: unique('cluster'), provider: 'eks', aws: { region: 'eu-west-1', clusterName, roleArn: ROLE_ARN } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(await settledCluster(api, key, id)).toMatchObject({ status: 'waiting-for-agents' });

    // The removal has deleted the DaemonSet; deleting the ConfigMap is in flight.
    const configMapDelete = cluster.hold('delete configmaps');
    expect((await api.delete(`/v1/clusters/${id}`, { key })).status).toBe(202);
    await configMapDelete.arrived;

    await killWorker();
    expect((await api.get(`/v1/clusters/${id}`, { key })).body.status).toBe('offboarding');
    configMapDelete.release();

    worker = await startPalisade(['worker'], env, WORKER_READY);
    expect((await offboardedCluster(api, key, id)).status).toBe(404);
    expect(cluster.objects.size).toBe(0);
    expect(aws.accessEntries.get(clusterName)?.has(ROLE_ARN)).toBe(false);
  });
});
