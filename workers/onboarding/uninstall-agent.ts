// Offboarding's Kubernetes half: delete what install-agent.ts created, the DaemonSet first (its pods
// stop before their credentials go) and the namespace last; the ClusterRole and its binding are
// cluster-scoped, so deleting the namespace alone would leave them. Objects already gone count as
// removed, so a re-run, or a cluster onboarding never installed into, is done at once.
import { AGENT_NAMESPACE, AGENT_RELEASE, agentObjects } from './agent-manifests.ts';
import type { AwsAccess, AwsCredentials } from './inspect-eks-cluster.ts';
import { type KubernetesResult, type KubernetesTarget, kubernetesClient } from './kubernetes-api.ts';

export async function uninstallAgent(target: KubernetesTarget, credentials: AwsCredentials, access: AwsAccess): Promise<KubernetesResult> {
  // Only kinds, names and namespaces matter for deleting: the values are placeholders.
  const objects = agentObjects({
    release: AGENT_RELEASE,
    namespace: AGENT_NAMESPACE,
    image: '-',
    imagePullPolicy: 'IfNotPresent',
    controlPlaneUrl: '-',
    tenantId: '-',
    clusterId: '-',
    agentToken: '-',
    trustRoot: '-',
    resources: {},
  });
  const client = await kubernetesClient(target, credentials, access);
  return client.remove(objects.reverse());
}
