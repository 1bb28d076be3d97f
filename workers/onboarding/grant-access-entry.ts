// Onboarding step 5: give the role palisade assumed a way into the cluster's Kubernetes API, as an
// EKS access entry (clusters whose authentication mode includes API). The access policy is
// AmazonEKSClusterAdminPolicy scoped to the whole cluster, not to palisade-system: the install
// creates a ClusterRole and ClusterRoleBinding (the agent reads pods and namespaces cluster-wide),
// and Kubernetes only lets a subject create a binding granting permissions it holds itself, which a
// namespace-scoped policy never does. The role is palisade's alone (its trust policy requires the
// tenant's external id), and offboarding removes the entry. Both calls are idempotent: an entry that
// exists already (ResourceInUseException) is kept, and associating a policy again replaces its scope.
import { AssociateAccessPolicyCommand, CreateAccessEntryCommand, EKSClient, ResourceInUseException } from '@aws-sdk/client-eks';
import type { ClusterAwsSettings } from '../../db/schema/index.ts';
import { type AwsAccess, type AwsCredentials, failureOf } from './inspect-eks-cluster.ts';
import type { OnboardingFailure } from './onboarding-failure.ts';

export const ACCESS_POLICY_ARN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

export type AccessEntryResult = { ok: true } | { ok: false; failure: OnboardingFailure };

export async function grantAccessEntry(access: AwsAccess, settings: ClusterAwsSettings, credentials: AwsCredentials): Promise<AccessEntryResult> {
  const eks = new EKSClient({
    region: settings.region,
    credentials,
    ...(access.maxAttempts !== undefined && { maxAttempts: access.maxAttempts }),
    ...(access.endpoints?.eks && { endpoint: access.endpoints.eks }),
  });
  const clusterName = settings.clusterName;
  const principalArn = settings.roleArn;
  try {
    try {
      await eks.send(new CreateAccessEntryCommand({ clusterName, principalArn, type: 'STANDARD', tags: { 'managed-by': 'palisade' } }));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) return { ok: false, failure: failureOf(error, 'eks:CreateAccessEntry', settings) };
    }
    try {
      await eks.send(new AssociateAccessPolicyCommand({ clusterName, principalArn, policyArn: ACCESS_POLICY_ARN, accessScope: { type: 'cluster' } }));
    } catch (error) {
      return { ok: false, failure: failureOf(error, 'eks:AssociateAccessPolicy', settings) };
    }
    return { ok: true };
  } finally {
    eks.destroy();
  }
}
