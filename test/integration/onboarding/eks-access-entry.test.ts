// Onboarding's access step: on a cluster whose authentication mode includes API, the onboarding job
// creates an EKS access entry for the tenant's role and associates a cluster-scoped access policy
// with it (the install makes a ClusterRole and ClusterRoleBinding, which a namespace-scoped policy
// could not). Driven through the control plane and the real @aws-sdk/client-eks against the
// SigV4-checking stand-in, which keeps the entries it is asked to create.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACCESS_POLICY_ARN } from '../../../workers/onboarding/grant-access-entry.ts';
import { type ApiClient, unique } from '../../support/api-client.ts';
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

describe("onboarding grants palisade's role an EKS access entry", () => {
  let world: EksWorld;
  let aws: AwsStandIn;
  let api: ApiClient;
  let key: string;
  let kubernetes: KubernetesStandIns;

  beforeAll(async () => {
    world = await startEksWorld();
    ({ aws, kubernetes, api } = world);
  });
  afterAll(async () => {
    await world?.stop();
  });

  beforeEach(async () => {
    ({ key } = await tenantWithRole(world));
  });

  async function onboard(overrides: Partial<StandInCluster> = {}, arrange: (clusterName: string) => Promise<void> = async () => {}) {
    const clusterName = unique('eks');
    aws.clusters.set(clusterName, standInCluster({ name: clusterName, ...overrides }));
    await kubernetes.for(clusterName);
    await arrange(clusterName);
    const created = await api.post('/v1/clusters', {
      key,
      body: { name: unique('cluster'), provider: 'eks', aws: { region: 'eu-west-1', clusterName, roleArn: ROLE_ARN } },
    });
    expect(created.status).toBe(201);
    return { clusterName, cluster: await settledCluster(api, key, created.body.id) };
  }

  const accessCalls = () => aws.requests.filter((request) => request.action === 'eks:CreateAccessEntry' || request.action === 'eks:AssociateAccessPolicy');

  it.each(['API', 'API_AND_CONFIG_MAP'] as const)(
    'with authentication mode %s, creates the entry for the role and a cluster-wide policy, signed',
    async (mode) => {
      const { clusterName, cluster } = await onboard({ authenticationMode: mode });
      expect(cluster).toMatchObject({ status: 'waiting-for-agents', onboardingFailure: null });
      const entry = aws.accessEntries.get(clusterName)?.get(ROLE_ARN);
      expect(entry).toMatchObject({ principalArn: ROLE_ARN, type: 'STANDARD', tags: { 'managed-by': 'palisade' } });
      expect(Object.fromEntries(entry!.policies)).toEqual({ [ACCESS_POLICY_ARN]: { type: 'cluster', namespaces: [] } });
      expect(accessCalls()).toEqual([
        { action: 'eks:CreateAccessEntry', signatureValid: true },
        { action: 'eks:AssociateAccessPolicy', signatureValid: true },
      ]);
    },
  );

  it('keeps an entry that is already there (ResourceInUseException) and still associates the policy', async () => {
    const clusterName = unique('eks');
    aws.accessEntries.set(clusterName, new Map([[ROLE_ARN, { principalArn: ROLE_ARN, type: 'STANDARD', tags: {}, policies: new Map() }]]));
    aws.clusters.set(clusterName, standInCluster({ name: clusterName }));
    await kubernetes.for(clusterName);
    const created = await api.post('/v1/clusters', {
      key,
      body: { name: unique('cluster'), provider: 'eks', aws: { region: 'eu-west-1', clusterName, roleArn: ROLE_ARN } },
    });
    expect(await settledCluster(api, key, created.body.id)).toMatchObject({ status: 'waiting-for-agents', onboardingFailure: null });
    expect(accessCalls().map((request) => request.action)).toEqual(['eks:CreateAccessEntry', 'eks:AssociateAccessPolicy']);
    // The tenant's own entry was kept as it was (no tags added), and the policy associated with it.
    expect(aws.accessEntries.get(clusterName)?.get(ROLE_ARN)?.tags).toEqual({});
    expect(aws.accessEntries.get(clusterName)?.get(ROLE_ARN)?.policies.get(ACCESS_POLICY_ARN)).toEqual({ type: 'cluster', namespaces: [] });
  });

  it('asks EKS for no access entry when the cluster only reads aws-auth, says so in the report, and installs once the tenant mapped the role', async () => {
    const { clusterName, cluster } = await onboard({ authenticationMode: 'CONFIG_MAP' }, async (name) => {
      (await kubernetes.for(name)).awsAuthRoles.add(ROLE_ARN);
    });
    expect(cluster).toMatchObject({ status: 'waiting-for-agents' });
    expect(accessCalls()).toEqual([]);
    expect(aws.accessEntries.get(clusterName)).toBeUndefined();
    expect((await api.get(`/v1/clusters/${cluster.id}/compatibility`, { key })).body.access).toBe('aws-auth');
  });

  it('fails naming the aws-auth line to add when the cluster only reads aws-auth and the role is not in it (401)', async () => {
    const { cluster } = await onboard({ authenticationMode: 'CONFIG_MAP' });
    expect(cluster.status).toBe('failed');
    expect(cluster.onboardingFailure).toMatchObject({ code: 'KUBERNETES_UNAUTHORIZED', retryable: false, reason: expect.stringContaining('401') });
    expect(cluster.onboardingFailure.nextStep).toContain(`mapRoles entry for ${ROLE_ARN} in the aws-auth ConfigMap`);
    // The report is there: the tenant reads what to add from it.
    expect((await api.get(`/v1/clusters/${cluster.id}/compatibility`, { key })).body.access).toBe('aws-auth');
  });

  it.each(['eks:CreateAccessEntry', 'eks:AssociateAccessPolicy'])('fails with the missing permission named when the role may not call %s', async (action) => {
    aws.denied.add(action);
    const { cluster } = await onboard();
    expect(cluster.status).toBe('failed');
    expect(cluster.onboardingFailure).toMatchObject({ code: 'PERMISSION_MISSING', action, retryable: false });
    expect(cluster.onboardingFailure.nextStep).toContain(action);
  });

  it('retries a throttled CreateAccessEntry past the SDK’s own attempts, then grants access', async () => {
    aws.throttle.set('eks:CreateAccessEntry', 4);
    const { clusterName, cluster } = await onboard();
    expect(cluster).toMatchObject({ status: 'waiting-for-agents', onboardingFailure: null });
    expect(aws.accessEntries.get(clusterName)?.get(ROLE_ARN)?.policies.has(ACCESS_POLICY_ARN)).toBe(true);
    expect(aws.requests.filter((request) => request.action === 'eks:CreateAccessEntry').length).toBe(5);
  });
});
