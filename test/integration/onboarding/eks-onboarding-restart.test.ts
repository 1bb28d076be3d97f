// An onboarding outlives the process that took it: the outbox row commits with the cluster, and a
// worker that starts finds clusters whose onboarding has no outcome (left `onboarding` by a worker
// that died mid-job, its outbox row already relayed) and runs them again.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signUp, unique } from '../../support/api-client.ts';
import { AwsStandIn, BASE_CREDENTIALS } from '../../support/aws-stand-in.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/palisade-onboarding';

describe('an EKS onboarding interrupted by a worker that died', () => {
  let aws: AwsStandIn;
  let database: TestDatabase;
  let control: TestControlPlane<'api' | 'all'> | undefined;

  beforeAll(async () => {
    aws = new AwsStandIn();
    await aws.start();
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await control?.stop();
    await aws?.stop();
    await database?.drop();
  });

  it('is run again by the next worker to start, to its outcome', { timeout: 120_000 }, async () => {
    const env = { AWS_ENDPOINT_URL: aws.url, AWS_ACCESS_KEY_ID: BASE_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: BASE_CREDENTIALS.secretAccessKey };
    // An API-only process: it registers the cluster and writes the outbox row; no worker runs.
    control = await startTestControlPlane('postgres', env, { role: 'api', databaseUrl: database.url });
    let api = apiClient(control.url);
    const { key } = await signUp(api);
    const tenant = await api.get('/v1/tenant', { key });
    aws.roles.set(ROLE_ARN, { roleArn: ROLE_ARN, externalId: tenant.body.awsExternalId });
    const clusterName = unique('eks');
    aws.clusters.set(clusterName, {
      name: clusterName,
      status: 'ACTIVE',
      version: '1.33',
      platformVersion: 'eks.9',
      ipFamily: 'ipv4',
      authenticationMode: 'API',
      nodegroups: [{ name: 'general', amiType: 'AL2023_x86_64_STANDARD' }],
      fargateProfiles: [],
    });
    const created = await api.post('/v1/clusters', {
      key,
      body: { name: unique('cluster'), provider: 'eks', aws: { region: 'eu-west-1', clusterName, roleArn: ROLE_ARN } },
    });
    expect(created.status).toBe(201);
    await control.stop();
    control = undefined;

    // What a worker killed mid-job leaves: the row relayed (the job was taken), the cluster onboarding.
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      await sql`update outbox set relayed_at = now() where cluster_id = ${created.body.id}`;
      await sql`update clusters set status = 'onboarding' where id = ${created.body.id}`;
    } finally {
      await sql.end();
    }
    expect(aws.requests).toEqual([]);

    control = await startTestControlPlane('postgres', env, { role: 'all', databaseUrl: database.url });
    api = apiClient(control.url);
    let cluster: { status: string };
    do {
      cluster = (await api.get(`/v1/clusters/${created.body.id}`, { key })).body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } while (cluster.status === 'onboarding');
    expect(cluster.status).toBe('waiting-for-agents');
    expect((await api.get(`/v1/clusters/${created.body.id}/compatibility`, { key })).body.cluster.authenticationMode).toBe('API');
  });
});
