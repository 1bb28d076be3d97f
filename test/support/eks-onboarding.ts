// What the EKS onboarding tests share: the tenant's role, an ACTIVE cluster as the AWS stand-in
// describes it, and the wait for onboarding's outcome.
import type { ApiClient } from './api-client.ts';
import type { StandInCluster } from './aws-stand-in.ts';

export const ROLE_ARN = 'arn:aws:iam::123456789012:role/palisade-onboarding';

/** An ACTIVE cluster on a supported Linux node group; `overrides` change what a test looks at. */
export const standInCluster = (overrides: Partial<StandInCluster> = {}): StandInCluster => ({
  name: 'prod',
  status: 'ACTIVE',
  version: '1.33',
  platformVersion: 'eks.9',
  ipFamily: 'ipv4',
  authenticationMode: 'API_AND_CONFIG_MAP',
  nodegroups: [{ name: 'general', amiType: 'AL2023_x86_64_STANDARD' }],
  fargateProfiles: [],
  vpcCniConfiguration: '{}',
  ...overrides,
});

/** Onboarding runs in the background: wait (not a timed assertion) until it has an outcome. */
export async function settledCluster(api: ApiClient, key: string, id: string) {
  for (;;) {
    const { body } = await api.get(`/v1/clusters/${id}`, { key });
    if (body.status !== 'pending' && body.status !== 'onboarding') return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
