// What the EKS onboarding tests share: the tenant's role, an ACTIVE cluster as the AWS stand-in
// describes it with its own Kubernetes API stand-in, and the waits for onboarding's and offboarding's outcomes.
import { type ApiClient, apiClient, signUp } from './api-client.ts';
import { AwsStandIn, BASE_CREDENTIALS, type StandInCluster } from './aws-stand-in.ts';
import { startTestControlPlane, type TestControlPlane } from './control-plane.ts';
import { KubernetesStandIn } from './kubernetes-stand-in.ts';

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

const UNSETTLED = new Set(['pending', 'onboarding', 'installing']);

/** Onboarding runs in the background: wait (not a timed assertion) until it has an outcome. */
export async function settledCluster(api: ApiClient, key: string, id: string) {
  for (;;) {
    const { body } = await api.get(`/v1/clusters/${id}`, { key });
    if (!UNSETTLED.has(body.status)) return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Offboarding runs in the background: wait until the cluster is gone (404), or shows why it is not. */
export async function offboardedCluster(api: ApiClient, key: string, id: string): Promise<{ status: number; body: any }> {
  for (;;) {
    const answer = await api.get(`/v1/clusters/${id}`, { key });
    if (answer.status === 404 || answer.body.status !== 'offboarding') return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One Kubernetes API stand-in per stand-in EKS cluster (each checks tokens carry its cluster's name). */
export class KubernetesStandIns {
  private readonly started = new Map<string, KubernetesStandIn>();
  constructor(private readonly aws: AwsStandIn) {}

  /** Starts the cluster's API server and points the AWS stand-in's DescribeCluster at it. */
  async for(clusterName: string): Promise<KubernetesStandIn> {
    let kubernetes = this.started.get(clusterName);
    if (!kubernetes) {
      kubernetes = new KubernetesStandIn(this.aws, clusterName);
      await kubernetes.start();
      this.started.set(clusterName, kubernetes);
    }
    const cluster = this.aws.clusters.get(clusterName);
    if (cluster) cluster.kubernetesEndpoint = kubernetes.url;
    return kubernetes;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.started.values()].map((kubernetes) => kubernetes.stop()));
    this.started.clear();
  }
}

/** The AWS stand-in, a Kubernetes API stand-in per cluster, and a control plane pointed at them. */
export interface EksWorld {
  aws: AwsStandIn;
  kubernetes: KubernetesStandIns;
  control: TestControlPlane;
  api: ApiClient;
  stop(): Promise<void>;
}

/** Starts an EKS world; `env` adds to the control plane's settings (a short retry base keeps retries quick). */
export async function startEksWorld(env: Record<string, string> = {}): Promise<EksWorld> {
  const aws = new AwsStandIn();
  await aws.start();
  const kubernetes = new KubernetesStandIns(aws);
  const control = await startTestControlPlane('postgres', {
    AWS_ENDPOINT_URL: aws.url,
    AWS_ACCESS_KEY_ID: BASE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: BASE_CREDENTIALS.secretAccessKey,
    ONBOARDING_RETRY_BASE_MS: '20',
    ...env,
  });
  return {
    aws,
    kubernetes,
    control,
    api: apiClient(control.url),
    async stop() {
      await control.stop();
      await kubernetes.stopAll();
      await aws.stop();
    },
  };
}

/** A new tenant whose role the AWS stand-in lets palisade assume, with the stand-in's faults and request log cleared. */
export async function tenantWithRole(world: EksWorld): Promise<{ key: string; tenantId: string; externalId: string }> {
  const { key, tenantId } = await signUp(world.api);
  const externalId = (await world.api.get('/v1/tenant', { key })).body.awsExternalId as string;
  world.aws.roles.set(ROLE_ARN, { roleArn: ROLE_ARN, externalId });
  world.aws.denied.clear();
  world.aws.throttle.clear();
  world.aws.requests.length = 0;
  return { key, tenantId, externalId };
}
