// EKS on the wire: where the cluster is and the role palisade assumes to reach it, and the IAM
// policies a tenant pastes to make that role (the README shows the same two documents; a test
// checks they agree).
import { z } from '@hono/zod-openapi';
import { onboardingFailureCodes } from '../../workers/onboarding/onboarding-failure.ts';

/** aws, aws-cn, aws-us-gov; an optional role path; a role name of IAM's characters. */
const ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** us-east-1, eu-central-2, ap-southeast-4, us-gov-west-1, cn-north-1, ... */
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
/** EKS's own rule for cluster names. */
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

export const clusterAwsSettings = z
  .strictObject({
    region: z.string().regex(REGION, 'must be an AWS region code, such as eu-west-1').openapi({ example: 'eu-west-1' }),
    clusterName: z
      .string()
      .regex(EKS_CLUSTER_NAME, 'must be an EKS cluster name: up to 100 letters, digits, "-" and "_", starting with a letter or digit')
      .openapi({ example: 'prod' }),
    roleArn: z
      .string()
      .regex(ROLE_ARN, 'must be an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>')
      .openapi({ example: 'arn:aws:iam::123456789012:role/palisade-onboarding' }),
  })
  .openapi('ClusterAwsSettings', {
    description:
      "Where the EKS cluster is and the role palisade assumes to reach it. The role's trust policy must require the tenant's external id (GET /v1/tenant).",
  });

/** What palisade does with the role: describe the cluster, grant itself an access entry (cluster-wide: the install creates a ClusterRole and its binding), and undo that when offboarding. */
export const EKS_PERMISSION_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DescribeTheCluster',
      Effect: 'Allow',
      Action: ['eks:DescribeCluster', 'eks:ListNodegroups', 'eks:DescribeNodegroup', 'eks:ListFargateProfiles', 'eks:DescribeAddon'],
      Resource: '*',
    },
    {
      Sid: 'GrantItselfAnAccessEntry',
      Effect: 'Allow',
      Action: ['eks:CreateAccessEntry', 'eks:DescribeAccessEntry', 'eks:DeleteAccessEntry', 'eks:AssociateAccessPolicy', 'eks:DisassociateAccessPolicy'],
      Resource: '*',
    },
  ],
};

/** The trust policy: palisade's account may assume the role, only when it presents the tenant's external id. */
export const EKS_TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::<palisade-account-id>:root' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': '<awsExternalId from GET /v1/tenant>' } },
    },
  ],
};

const block = (document: object) => `\`\`\`json\n${JSON.stringify(document, null, 2)}\n\`\`\``;

/** The create operation's description in the API reference: how to make the role. */
export const EKS_ROLE_INSTRUCTIONS = `For an EKS cluster, give \`provider: "eks"\` and \`aws: {region, clusterName, roleArn}\`: the role
in your account that palisade assumes. Create it with this trust policy (your external id is \`awsExternalId\`
in GET /v1/tenant):

${block(EKS_TRUST_POLICY)}

and this permission policy:

${block(EKS_PERMISSION_POLICY)}`;

const compatibilityWarning = z.object({
  code: z.enum(['WINDOWS_NODES_UNSUPPORTED', 'FARGATE_NOT_ENFORCED', 'VPC_CNI_NETWORK_POLICY_ENABLED', 'CUSTOM_AMI_KERNEL_UNKNOWN']),
  message: z.string(),
});

/** What onboarding found in the cluster (workers/onboarding/compatibility.ts builds it). */
export const compatibilityReportSchema = z
  .object({
    cluster: z.object({
      kubernetesVersion: z.string(),
      platformVersion: z.string(),
      endpoint: z.string(),
      certificateAuthority: z.string().openapi({ description: 'The cluster CA, base64 PEM as EKS gives it' }),
      ipFamily: z.enum(['ipv4', 'ipv6']),
      serviceCidr: z.string(),
      authenticationMode: z.enum(['API', 'API_AND_CONFIG_MAP', 'CONFIG_MAP']),
    }),
    nodegroups: z.array(
      z.object({
        name: z.string(),
        amiType: z.string(),
        supported: z.boolean(),
        attachPath: z.enum(['tcx', 'tc']).nullable().openapi({ description: "The attach path the node's kernel allows; null where the agent cannot run" }),
        note: z.string(),
      }),
    ),
    fargateProfiles: z.array(z.string()),
    vpcCni: z.object({ installed: z.boolean(), version: z.string().nullable(), networkPolicyAgent: z.boolean() }),
    access: z
      .enum(['access-entry', 'aws-auth'])
      .openapi({ description: 'How palisade gets into the Kubernetes API: an EKS access entry, or a line in aws-auth' }),
    warnings: z.array(compatibilityWarning),
  })
  .openapi('CompatibilityReport');

/** Why onboarding (or offboarding) stopped: shown on the cluster while its status is failed. */
export const onboardingFailureSchema = z
  .object({
    code: z.enum(onboardingFailureCodes),
    stage: z
      .enum(['offboarding'])
      .optional()
      .openapi({ description: 'offboarding: DELETE /v1/clusters/{id} could not remove what onboarding created; absent means onboarding' }),
    reason: z.string(),
    nextStep: z.string(),
    retryable: z.boolean(),
    action: z.string().optional().openapi({ description: 'The IAM action that was refused, for PERMISSION_MISSING' }),
  })
  .openapi('OnboardingFailure');
