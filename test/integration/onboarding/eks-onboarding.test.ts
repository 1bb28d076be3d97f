// EKS onboarding wired end to end: POST /v1/clusters with a role enqueues an onboarding job through
// the outbox; the worker assumes the role and inspects the cluster through the real AWS SDK against
// the SigV4-checking stand-in (test/support/aws-stand-in.ts); the cluster's status and
// GET /v1/clusters/{id}/compatibility say what it found, or why it stopped and what to do next.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiClient, createAgentToken, unique } from '../../support/api-client.ts';
import type { AwsStandIn, StandInCluster } from '../../support/aws-stand-in.ts';
import {
  type EksWorld,
  type KubernetesStandIns,
  ROLE_ARN,
  settledCluster,
  standInCluster,
  startEksWorld,
  tenantWithRole,
} from '../../support/eks-onboarding.ts';

describe('onboarding an EKS cluster registered with a role', () => {
  let world: EksWorld;
  let aws: AwsStandIn;
  let api: ApiClient;
  let key: string;
  let kubernetes: KubernetesStandIns;

  beforeAll(async () => {
    world = await startEksWorld({ PALISADE_AWS_PRINCIPAL: 'arn:aws:iam::111122223333:root' });
    ({ aws, kubernetes, api } = world);
  });
  afterAll(async () => {
    await world?.stop();
  });

  beforeEach(async () => {
    ({ key } = await tenantWithRole(world));
  });

  /** Each test gets its own EKS cluster name, so tests never see one another's stand-in cluster. */
  async function registerEks(cluster: StandInCluster | undefined) {
    const clusterName = unique('eks');
    if (cluster) {
      aws.clusters.set(clusterName, { ...cluster, name: clusterName });
      await kubernetes.for(clusterName);
    }
    const created = await api.post('/v1/clusters', {
      key,
      body: { name: unique('cluster'), provider: 'eks', aws: { region: 'eu-west-1', clusterName, roleArn: ROLE_ARN } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending', onboardingFailure: null });
    return { id: created.body.id as string, clusterName };
  }

  it('inspects the cluster, reports Windows nodes and VPC CNI network policy, waits for agents, and is connected once an agent reports', async () => {
    const { id } = await registerEks(
      standInCluster({
        nodegroups: [
          { name: 'linux', amiType: 'AL2_x86_64' },
          { name: 'win', amiType: 'WINDOWS_CORE_2022_x86_64' },
        ],
        vpcCniConfiguration: '{"enableNetworkPolicy":"true"}',
      }),
    );
    expect(await settledCluster(api, key, id)).toMatchObject({ status: 'waiting-for-agents', onboardingFailure: null });
    expect(aws.requests.every((request) => request.signatureValid)).toBe(true);
    expect(aws.requests[0]?.action).toBe('sts:AssumeRole');

    const report = await api.get(`/v1/clusters/${id}/compatibility`, { key });
    expect(report.status).toBe(200);
    expect(report.body.cluster).toMatchObject({ kubernetesVersion: '1.33', authenticationMode: 'API_AND_CONFIG_MAP', ipFamily: 'ipv4' });
    expect(report.body.nodegroups.find((group: { name: string }) => group.name === 'win')).toMatchObject({ supported: false, attachPath: null });
    expect(report.body.warnings.map((warning: { code: string }) => warning.code)).toEqual(['WINDOWS_NODES_UNSUPPORTED', 'VPC_CNI_NETWORK_POLICY_ENABLED']);
    expect(report.body.access).toBe('access-entry');

    // What a (dry-run) agent sends when it starts: its node's status, with the cluster's agent token.
    const token = await createAgentToken(api, key, id);
    expect((await api.post('/v1/agent/status', { key: token, body: { nodeName: 'ip-10-0-1-23', appliedRevision: null } })).status).toBe(204);
    expect((await api.get(`/v1/clusters/${id}`, { key })).body.status).toBe('connected');
  });

  it("shows palisade's own principal beside the tenant's external id, for the role's trust policy", async () => {
    const tenant = await api.get('/v1/tenant', { key });
    expect(tenant.body).toMatchObject({ awsPrincipal: 'arn:aws:iam::111122223333:root', awsExternalId: expect.stringMatching(/^palisade-[0-9a-f]{32}$/) });
  });

  it('retries throttling with backoff and then succeeds', async () => {
    // More throttled answers than the SDK's own three attempts: the job itself must try again.
    aws.throttle.set('eks:DescribeCluster', 5);
    const { id } = await registerEks(standInCluster());
    expect(await settledCluster(api, key, id)).toMatchObject({ status: 'waiting-for-agents' });
    expect(aws.requests.filter((request) => request.action === 'eks:DescribeCluster').length).toBe(6);
    expect(aws.requests.filter((request) => request.action === 'sts:AssumeRole').length).toBeGreaterThan(1);
  });

  it.each([
    [
      'a trust policy without our external id',
      () => aws.roles.set(ROLE_ARN, { roleArn: ROLE_ARN, externalId: 'someone-else' }),
      standInCluster(),
      'ROLE_NOT_ASSUMABLE',
      /trust policy/,
    ],
    ['a missing permission, named with its action', () => aws.denied.add('eks:ListNodegroups'), standInCluster(), 'PERMISSION_MISSING', /eks:ListNodegroups/],
    ['a cluster EKS does not know', () => {}, undefined, 'CLUSTER_NOT_FOUND', /cluster name and region/],
    ['a cluster that is not ACTIVE', () => {}, standInCluster({ status: 'FAILED' }), 'CLUSTER_NOT_ACTIVE', /ACTIVE/],
    ['throttling past every retry', () => aws.throttle.set('eks:DescribeCluster', 1000), standInCluster(), 'THROTTLED', /run onboarding again/],
  ])('fails with a reason and a next step: %s', async (_name, arrange, cluster, code, nextStep) => {
    arrange();
    const { id } = await registerEks(cluster);
    const settled = await settledCluster(api, key, id);
    expect(settled.status).toBe('failed');
    expect(settled.onboardingFailure).toMatchObject({ code, reason: expect.any(String) });
    expect(settled.onboardingFailure.nextStep).toMatch(nextStep);
    const report = await api.get(`/v1/clusters/${id}/compatibility`, { key });
    expect(report.status).toBe(409);
    expect(report.body.detail).toContain('onboarding failed');
  });

  it('onboards again when the tenant fixes the cause and replaces the cluster', async () => {
    aws.denied.add('eks:DescribeAddon');
    const { id, clusterName } = await registerEks(standInCluster());
    const failed = await settledCluster(api, key, id);
    expect(failed.onboardingFailure).toMatchObject({ code: 'PERMISSION_MISSING', action: 'eks:DescribeAddon' });

    aws.denied.clear();
    const replaced = await api.put(`/v1/clusters/${id}`, {
      key,
      headers: { 'if-match': (await api.get(`/v1/clusters/${id}`, { key })).headers.get('etag')! },
      body: { name: failed.name, provider: 'eks', aws: { region: 'eu-west-1', clusterName, roleArn: ROLE_ARN } },
    });
    expect(replaced.status).toBe(200);
    expect(await settledCluster(api, key, id)).toMatchObject({ status: 'waiting-for-agents', onboardingFailure: null });
    expect((await api.get(`/v1/clusters/${id}/compatibility`, { key })).status).toBe(200);
  });

  it('has no compatibility report for a cluster not registered with a role (404), and leaves it pending', async () => {
    const created = await api.post('/v1/clusters', { key, body: { name: unique('cluster'), provider: 'eks' } });
    expect(created.status).toBe(201);
    const report = await api.get(`/v1/clusters/${created.body.id}/compatibility`, { key });
    expect(report.status).toBe(404);
    expect(report.body.detail).toContain('AWS role');
    expect((await api.get(`/v1/clusters/${created.body.id}`, { key })).body.status).toBe('pending');
    expect(aws.requests).toEqual([]);
  });
});
