// The first half of EKS onboarding: assume the tenant's role (with the tenant's external id), then
// describe the cluster, its node groups, Fargate profiles and VPC CNI add-on, and turn the answers
// into a compatibility report (compatibility.ts). Every AWS error becomes an OnboardingFailure with
// a reason and a next step, never an exception the tenant would see as a 500. The SDK retries
// throttling itself (standard retry mode: backoff with jitter); what is still throttled after its
// attempts comes back as a retryable THROTTLED failure.
import {
  AccessDeniedException,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListFargateProfilesCommand,
  ListNodegroupsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { ClusterAwsSettings } from '../../db/schema/index.ts';
import { type ClusterFacts, type CompatibilityReport, compatibilityReport, nodegroupReport, vpcCniReport } from './compatibility.ts';
import type { OnboardingFailure } from './onboarding-failure.ts';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** How to reach AWS: endpoint overrides for tests and local stacks; base credentials (default: the SDK's provider chain). */
export interface AwsAccess {
  endpoints?: { sts?: string | undefined; eks?: string | undefined };
  credentials?: AwsCredentials;
  maxAttempts?: number;
}

export type InspectionResult =
  | { ok: true; report: CompatibilityReport; credentials: AwsCredentials; roleSessionArn: string }
  | { ok: false; failure: OnboardingFailure };

/** AWS's throttling error codes across protocols (query: Throttling; JSON: ThrottlingException, ...). */
const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);

class InspectionStop extends Error {
  constructor(readonly failure: OnboardingFailure) {
    super(failure.reason);
  }
}

/** Maps an AWS error from one call to a failure naming that call's IAM action (inspection and the access entry share it). */
export function failureOf(error: unknown, action: string, settings: ClusterAwsSettings): OnboardingFailure {
  const name = (error as { name?: string }).name ?? '';
  const message = (error as Error).message ?? String(error);
  if (THROTTLING.has(name) || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 429) {
    return { code: 'THROTTLED', reason: `AWS throttled ${action}`, nextStep: 'nothing: onboarding runs again with backoff', retryable: true };
  }
  if (error instanceof AccessDeniedException || name === 'AccessDenied' || name === 'AccessDeniedException') {
    if (action === 'sts:AssumeRole') {
      return {
        code: 'ROLE_NOT_ASSUMABLE',
        reason: `palisade could not assume ${settings.roleArn}: ${message}`,
        nextStep:
          "check the role exists and that its trust policy trusts palisade and requires your external id (awsExternalId in GET /v1/tenant); see the README's trust policy",
        retryable: false,
        action,
      };
    }
    return {
      code: 'PERMISSION_MISSING',
      reason: `the role may not call ${action}: ${message}`,
      nextStep: `add ${action} to the role's permission policy (the README's permission policy has every action onboarding needs), then retry`,
      retryable: false,
      action,
    };
  }
  if (error instanceof ResourceNotFoundException && action === 'eks:DescribeCluster') {
    return {
      code: 'CLUSTER_NOT_FOUND',
      reason: `no EKS cluster ${settings.clusterName} in ${settings.region}`,
      nextStep: 'check the cluster name and region (aws.clusterName, aws.region), and that the role is in the cluster’s account',
      retryable: false,
    };
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === undefined || status >= 500) {
    return { code: 'AWS_UNREACHABLE', reason: `${action} failed: ${message}`, nextStep: 'nothing: onboarding runs again with backoff', retryable: true };
  }
  return {
    code: 'AWS_REFUSED',
    reason: `AWS refused ${action} (${name}): ${message}`,
    nextStep: 'check the cluster settings; retry once fixed',
    retryable: false,
  };
}

async function call<T>(action: string, settings: ClusterAwsSettings, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new InspectionStop(failureOf(error, action, settings));
  }
}

/** STS AssumeRole with the tenant's external id: the temporary credentials every later call signs with. */
export async function assumeTenantRole(
  access: AwsAccess,
  settings: ClusterAwsSettings,
  input: { externalId: string; sessionName: string },
): Promise<{ ok: true; credentials: AwsCredentials; roleSessionArn: string } | { ok: false; failure: OnboardingFailure }> {
  const sts = new STSClient({
    region: settings.region,
    ...(access.maxAttempts !== undefined && { maxAttempts: access.maxAttempts }),
    ...(access.endpoints?.sts && { endpoint: access.endpoints.sts }),
    ...(access.credentials && { credentials: access.credentials }),
  });
  try {
    const assumed = await call('sts:AssumeRole', settings, () =>
      sts.send(new AssumeRoleCommand({ RoleArn: settings.roleArn, RoleSessionName: input.sessionName, ExternalId: input.externalId, DurationSeconds: 900 })),
    );
    const issued = assumed.Credentials;
    if (!issued?.AccessKeyId || !issued.SecretAccessKey) {
      return { ok: false, failure: { code: 'AWS_REFUSED', reason: 'AssumeRole answered without credentials', nextStep: 'retry', retryable: true } };
    }
    const credentials = {
      accessKeyId: issued.AccessKeyId,
      secretAccessKey: issued.SecretAccessKey,
      ...(issued.SessionToken && { sessionToken: issued.SessionToken }),
    };
    return { ok: true, credentials, roleSessionArn: assumed.AssumedRoleUser?.Arn ?? '' };
  } catch (error) {
    if (error instanceof InspectionStop) return { ok: false, failure: error.failure };
    throw error;
  } finally {
    sts.destroy();
  }
}

export async function inspectEksCluster(
  access: AwsAccess,
  settings: ClusterAwsSettings,
  input: { externalId: string; sessionName: string },
): Promise<InspectionResult> {
  const common = { region: settings.region, ...(access.maxAttempts !== undefined && { maxAttempts: access.maxAttempts }) };
  const assumed = await assumeTenantRole(access, settings, input);
  if (!assumed.ok) return assumed;
  const { credentials } = assumed;
  let eks: EKSClient | undefined;
  try {
    eks = new EKSClient({ ...common, ...(access.endpoints?.eks && { endpoint: access.endpoints.eks }), credentials });
    const client = eks;
    const clusterName = settings.clusterName;
    const { cluster } = await call('eks:DescribeCluster', settings, () => client.send(new DescribeClusterCommand({ name: clusterName })));
    if (cluster?.status !== 'ACTIVE') {
      return {
        ok: false,
        failure: {
          code: 'CLUSTER_NOT_ACTIVE',
          reason: `the cluster is ${cluster?.status ?? 'in no known state'}, not ACTIVE`,
          nextStep: 'wait until EKS shows the cluster ACTIVE, then retry',
          retryable: cluster?.status === 'CREATING' || cluster?.status === 'UPDATING',
        },
      };
    }
    const network = cluster.kubernetesNetworkConfig;
    const facts: ClusterFacts = {
      kubernetesVersion: cluster.version ?? '',
      platformVersion: cluster.platformVersion ?? '',
      endpoint: cluster.endpoint ?? '',
      certificateAuthority: cluster.certificateAuthority?.data ?? '',
      ipFamily: network?.ipFamily === 'ipv6' ? 'ipv6' : 'ipv4',
      serviceCidr: (network?.ipFamily === 'ipv6' ? network.serviceIpv6Cidr : network?.serviceIpv4Cidr) ?? '',
      authenticationMode: (cluster.accessConfig?.authenticationMode as ClusterFacts['authenticationMode'] | undefined) ?? 'CONFIG_MAP',
    };
    const { nodegroups: names = [] } = await call('eks:ListNodegroups', settings, () => client.send(new ListNodegroupsCommand({ clusterName })));
    const nodegroups = [];
    for (const nodegroupName of names) {
      const { nodegroup } = await call('eks:DescribeNodegroup', settings, () => client.send(new DescribeNodegroupCommand({ clusterName, nodegroupName })));
      nodegroups.push(nodegroupReport(nodegroupName, nodegroup?.amiType ?? 'CUSTOM'));
    }
    const { fargateProfileNames = [] } = await call('eks:ListFargateProfiles', settings, () => client.send(new ListFargateProfilesCommand({ clusterName })));
    // No vpc-cni add-on is an answer (self-managed or another CNI), not a failure.
    const addon = await call('eks:DescribeAddon', settings, async () => {
      try {
        return (await client.send(new DescribeAddonCommand({ clusterName, addonName: 'vpc-cni' }))).addon;
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      }
    });
    const report = compatibilityReport(facts, nodegroups, fargateProfileNames, vpcCniReport(addon && { ...addon }));
    return { ok: true, report, credentials, roleSessionArn: assumed.roleSessionArn };
  } catch (error) {
    if (error instanceof InspectionStop) return { ok: false, failure: error.failure };
    throw error;
  } finally {
    eks?.destroy();
  }
}
