// Onboarding and offboarding outlive the process that took them: the outbox row commits with the
// cluster, and a worker that starts finds clusters whose job has no outcome (left `installing` or
// `offboarding` by a worker that died mid-job, its outbox row already relayed) and runs them again.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, signUp, unique } from '../../support/api-client.ts';
import { AwsStandIn, BASE_CREDENTIALS } from '../../support/aws-stand-in.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';
import { KubernetesStandIns, offboardedCluster, ROLE_ARN, settledCluster, standInCluster } from '../../support/eks-onboarding.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

describe('EKS jobs interrupted by a worker that died', () => {
  let aws: AwsStandIn;
  let kubernetes: KubernetesStandIns;
  let database: TestDatabase;
  let control: TestControlPlane<'api' | 'all'> | undefined;

  beforeAll(async () => {
    aws = new AwsStandIn();
    await aws.start();
    kubernetes = new KubernetesStandIns(aws);
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await control?.stop();
    await kubernetes?.stopAll();
    await aws?.stop();
    await database?.drop();
  });

  const env = () => ({ AWS_ENDPOINT_URL: aws.url, AWS_ACCESS_KEY_ID: BASE_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: BASE_CREDENTIALS.secretAccessKey });

  /** What a worker killed mid-job leaves: the row relayed (the job was taken), the cluster in `status`. */
  async function killedMidJob(clusterId: string, status: string) {
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      await sql`update outbox set relayed_at = now() where cluster_id = ${clusterId}`;
      await sql`update clusters set status = ${status} where id = ${clusterId}`;
    } finally {
      await sql.end();
    }
  }

  async function registerWithoutWorker(): Promise<{ api: ApiClient; key: string; id: string; clusterName: string }> {
    // An API-only process: it registers the cluster and writes the outbox row; no worker runs (the
    // previous test's process, whose worker shares the database, is stopped first).
    await control?.stop();
    control = await startTestControlPlane('postgres', env(), { role: 'api', databaseUrl: database.url });
    const api = apiClient(control.url);
    const { key } = await signUp(api);
    const tenant = await api.get('/v1/tenant', { key });
    aws.roles.set(ROLE_ARN, { roleArn: ROLE_ARN, externalId: tenant.body.awsExternalId });
    const clusterName = unique('eks');
    aws.clusters.set(clusterName, standInCluster({ name: clusterName, authenticationMode: 'API', vpcCniConfiguration: undefined }));
    await kubernetes.for(clusterName);
    const created = await api.post('/v1/clusters', {
      key,
      body: { name: unique('cluster'), provider: 'eks', aws: { region: 'eu-west-1', clusterName, roleArn: ROLE_ARN } },
    });
    expect(created.status).toBe(201);
    return { api, key, id: created.body.id, clusterName };
  }

  async function restartWorker(): Promise<ApiClient> {
    await control?.stop();
    control = await startTestControlPlane('postgres', env(), { role: 'all', databaseUrl: database.url });
    return apiClient(control.url);
  }

  it('onboarding killed mid-install is run again by the next worker to start, to its outcome', { timeout: 120_000 }, async () => {
    const { key, id, clusterName } = await registerWithoutWorker();
    await control!.stop();
    control = undefined;
    await killedMidJob(id, 'installing');
    expect(aws.requests).toEqual([]);

    const api = await restartWorker();
    expect(await settledCluster(api, key, id)).toMatchObject({ status: 'waiting-for-agents' });
    expect((await api.get(`/v1/clusters/${id}/compatibility`, { key })).body.cluster.authenticationMode).toBe('API');
    expect((await kubernetes.for(clusterName)).list('DaemonSet').length).toBe(1);
  });

  it('offboarding killed mid-job is run again by the next worker to start, and the cluster goes away', { timeout: 120_000 }, async () => {
    let { api, key, id, clusterName } = await registerWithoutWorker();
    api = await restartWorker();
    expect(await settledCluster(api, key, id)).toMatchObject({ status: 'waiting-for-agents' });
    // The DELETE through an API-only process: the offboarding row is written, no worker takes it.
    await control!.stop();
    control = await startTestControlPlane('postgres', env(), { role: 'api', databaseUrl: database.url });
    api = apiClient(control.url);
    expect((await api.delete(`/v1/clusters/${id}`, { key })).status).toBe(202);
    const offboarding = await api.get(`/v1/clusters/${id}`, { key });
    expect(offboarding.body.status).toBe('offboarding');
    // Onboarding again would race the removal: a cluster being offboarded cannot be replaced.
    const replaced = await api.put(`/v1/clusters/${id}`, {
      key,
      headers: { 'if-match': offboarding.headers.get('etag')! },
      body: { name: offboarding.body.name, provider: 'eks', aws: { region: 'eu-west-1', clusterName, roleArn: ROLE_ARN } },
    });
    expect(replaced.status).toBe(409);
    expect(replaced.body.detail).toContain('offboarded');
    await control.stop();
    control = undefined;
    await killedMidJob(id, 'offboarding');

    api = await restartWorker();
    expect((await offboardedCluster(api, key, id)).status).toBe(404);
    expect((await kubernetes.for(clusterName)).objects.size).toBe(0);
    expect(aws.accessEntries.get(clusterName)?.has(ROLE_ARN)).toBe(false);
  });
});
