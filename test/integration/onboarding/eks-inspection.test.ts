// EKS onboarding's first half (workers/onboarding/inspect-eks-cluster.ts), driven through the real
// @aws-sdk/client-sts and @aws-sdk/client-eks against a loopback stand-in that speaks STS's
// query/XML and EKS's REST-JSON and verifies every request's SigV4 signature
// (test/support/aws-stand-in.ts); and the EKS bearer token, checked the way STS checks a presigned URL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EKS_TOKEN_PREFIX, eksBearerToken } from '../../../workers/onboarding/eks-token.ts';
import { type AwsAccess, inspectEksCluster } from '../../../workers/onboarding/inspect-eks-cluster.ts';
import { AwsStandIn, BASE_CREDENTIALS, type StandInCluster } from '../../support/aws-stand-in.ts';
import { ROLE_ARN, standInCluster } from '../../support/eks-onboarding.ts';

const EXTERNAL_ID = 'palisade-0123456789abcdef0123456789abcdef';
const SETTINGS = { region: 'eu-west-1', clusterName: 'prod', roleArn: ROLE_ARN };
const INPUT = { externalId: EXTERNAL_ID, sessionName: 'palisade-onboarding-test' };

/** The shared stand-in cluster, with a legacy AL2 node group beside the current one (the kernel report covers both). */
const cluster = (overrides: Partial<StandInCluster> = {}): StandInCluster =>
  standInCluster({
    nodegroups: [
      { name: 'general', amiType: 'AL2023_x86_64_STANDARD' },
      { name: 'legacy', amiType: 'AL2_x86_64' },
    ],
    ...overrides,
  });

describe('inspecting an EKS cluster through the real AWS SDK', () => {
  let aws: AwsStandIn;
  let access: AwsAccess;

  beforeEach(async () => {
    aws = new AwsStandIn();
    await aws.start();
    aws.roles.set(ROLE_ARN, { roleArn: ROLE_ARN, externalId: EXTERNAL_ID });
    aws.clusters.set('prod', cluster());
    access = { endpoints: { sts: aws.url, eks: aws.url }, credentials: BASE_CREDENTIALS };
  });
  afterEach(() => aws.stop());

  it('assumes the role with the external id and reports versions, endpoint, CA, IP family, service CIDR, auth mode and node kernels', async () => {
    const result = await inspectEksCluster(access, SETTINGS, INPUT);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.report.cluster).toMatchObject({
      kubernetesVersion: '1.33',
      platformVersion: 'eks.9',
      ipFamily: 'ipv4',
      serviceCidr: '172.20.0.0/16',
      authenticationMode: 'API_AND_CONFIG_MAP',
      endpoint: expect.stringMatching(/^https:\/\/.+\.eks\.amazonaws\.com$/),
    });
    expect(Buffer.from(result.report.cluster.certificateAuthority, 'base64').toString()).toContain('BEGIN CERTIFICATE');
    expect(result.report.nodegroups.map(({ name, supported, attachPath }) => ({ name, supported, attachPath }))).toEqual([
      { name: 'general', supported: true, attachPath: 'tc' },
      { name: 'legacy', supported: true, attachPath: 'tc' },
    ]);
    expect(result.report.access).toBe('access-entry');
    expect(result.report.warnings).toEqual([]);
    expect(result.roleSessionArn).toBe('arn:aws:sts::123456789012:assumed-role/palisade-onboarding/palisade-onboarding-test');
    // Every request was signed, and signed right: STS with the base keys, EKS with the assumed role's.
    expect(aws.requests.map((request) => request.action)).toEqual([
      'sts:AssumeRole',
      'eks:DescribeCluster',
      'eks:ListNodegroups',
      'eks:DescribeNodegroup',
      'eks:DescribeNodegroup',
      'eks:ListFargateProfiles',
      'eks:DescribeAddon',
    ]);
    expect(aws.requests.every((request) => request.signatureValid)).toBe(true);
  });

  it('a request signed with the wrong secret is refused by the stand-in (the check is real)', async () => {
    const result = await inspectEksCluster({ ...access, credentials: { ...BASE_CREDENTIALS, secretAccessKey: 'not-the-secret' } }, SETTINGS, INPUT);
    expect(result).toMatchObject({ ok: false, failure: { code: 'AWS_REFUSED' } });
    expect(aws.requests[0]).toEqual({ action: 'sts:AssumeRole', signatureValid: false });
  });

  it('warns that two engines would enforce when VPC CNI has its network policy agent on', async () => {
    aws.clusters.set('prod', cluster({ vpcCniConfiguration: '{"enableNetworkPolicy":"true","nodeAgent":{"healthProbeBindAddr":"8163"}}' }));
    const result = await inspectEksCluster(access, SETTINGS, INPUT);
    expect(result.ok && result.report.vpcCni).toEqual({ installed: true, version: 'v1.19.2-eksbuild.1', networkPolicyAgent: true });
    expect(result.ok && result.report.warnings.map((warning) => warning.code)).toEqual(['VPC_CNI_NETWORK_POLICY_ENABLED']);
  });

  it('reports a Windows node group unsupported and Fargate profiles unenforced, IPv6 and aws-auth as they are', async () => {
    aws.clusters.set(
      'prod',
      cluster({
        nodegroups: [
          { name: 'linux', amiType: 'BOTTLEROCKET_ARM_64' },
          { name: 'win', amiType: 'WINDOWS_CORE_2022_x86_64' },
        ],
        fargateProfiles: ['batch'],
        ipFamily: 'ipv6',
        authenticationMode: 'CONFIG_MAP',
        vpcCniConfiguration: undefined,
      }),
    );
    const result = await inspectEksCluster(access, SETTINGS, INPUT);
    if (!result.ok) throw new Error(result.failure.reason);
    expect(result.report.nodegroups.find((group) => group.name === 'win')).toMatchObject({ supported: false, attachPath: null });
    expect(result.report.warnings.map((warning) => warning.code)).toEqual(['WINDOWS_NODES_UNSUPPORTED', 'FARGATE_NOT_ENFORCED']);
    expect(result.report.cluster).toMatchObject({ ipFamily: 'ipv6', serviceCidr: 'fd7a:1b2c:3d4e::/108' });
    expect(result.report.access).toBe('aws-auth');
    expect(result.report.vpcCni).toEqual({ installed: false, version: null, networkPolicyAgent: false });
  });

  it('retries throttling and succeeds', async () => {
    aws.throttle.set('eks:DescribeCluster', 2);
    aws.throttle.set('sts:AssumeRole', 1);
    const result = await inspectEksCluster(access, SETTINGS, INPUT);
    expect(result.ok).toBe(true);
    expect(aws.requests.filter((request) => request.action === 'eks:DescribeCluster')).toHaveLength(3);
  });

  it.each([
    [
      'a trust policy without our external id',
      () => aws.roles.set(ROLE_ARN, { roleArn: ROLE_ARN, externalId: 'someone-else' }),
      { code: 'ROLE_NOT_ASSUMABLE', retryable: false },
    ],
    [
      'a missing permission, named with its action',
      () => aws.denied.add('eks:DescribeNodegroup'),
      { code: 'PERMISSION_MISSING', action: 'eks:DescribeNodegroup', retryable: false },
    ],
    ['a cluster that is not there', () => aws.clusters.delete('prod'), { code: 'CLUSTER_NOT_FOUND', retryable: false }],
    ['a cluster still being created', () => aws.clusters.set('prod', cluster({ status: 'CREATING' })), { code: 'CLUSTER_NOT_ACTIVE', retryable: true }],
    ['throttling past the retries', () => aws.throttle.set('eks:ListNodegroups', 10), { code: 'THROTTLED', retryable: true }],
  ])('fails with a reason and a next step on %s', async (_name, arrange, expected) => {
    arrange();
    const result = await inspectEksCluster({ ...access, maxAttempts: 2 }, SETTINGS, INPUT);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure).toMatchObject(expected);
    expect(result.failure.reason.length).toBeGreaterThan(10);
    expect(result.failure.nextStep.length).toBeGreaterThan(5);
  });

  it('makes an EKS bearer token the stand-in verifies as the assumed role, with the cluster name signed in', async () => {
    const result = await inspectEksCluster(access, SETTINGS, INPUT);
    if (!result.ok) throw new Error(result.failure.reason);
    const token = await eksBearerToken({ clusterName: 'prod', region: SETTINGS.region, credentials: result.credentials, stsEndpoint: aws.url });
    expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
    expect(token).not.toContain('=');
    const url = new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    const host = new URL(aws.url).host;
    expect(await aws.verifyPresigned(url, (name) => (name === 'host' ? host : name === 'x-k8s-aws-id' ? 'prod' : ''))).toBe(ROLE_ARN);
    // Presented for another cluster, the same token does not verify.
    expect(await aws.verifyPresigned(url, (name) => (name === 'host' ? host : name === 'x-k8s-aws-id' ? 'other' : ''))).toBeUndefined();
    // And the stand-in answers the presigned URL as STS does, when the header comes with it.
    const response = await fetch(url, { headers: { 'x-k8s-aws-id': 'prod' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<GetCallerIdentityResponse');
  });
});
