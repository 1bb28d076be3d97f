// Onboarding step 6: install the agent through the cluster's Kubernetes API: the namespace, service
// account, RBAC, the Secret with a fresh agent token, the trust root ConfigMap and the DaemonSet,
// built by agentObjects (agent-manifests.ts), the same source the Helm chart's template is generated
// from. Created or replaced, so a re-run (a restarted worker) leaves the same objects.
import type { V1ResourceRequirements } from '@kubernetes/client-node';
import { AGENT_NAMESPACE, AGENT_RELEASE, agentObjects } from './agent-manifests.ts';
import type { AwsAccess, AwsCredentials } from './inspect-eks-cluster.ts';
import { type KubernetesResult, type KubernetesTarget, kubernetesClient } from './kubernetes-api.ts';

/** What every install shares: the control plane agents reach and the image they run. */
export interface AgentInstallSettings {
  controlPlaneUrl: string;
  image: string;
}

/** The Helm chart's default resources (infra/helm/palisade-agent/values.yaml). */
const RESOURCES: V1ResourceRequirements = { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '512Mi' } };

export async function installAgent(
  target: KubernetesTarget,
  credentials: AwsCredentials,
  access: AwsAccess,
  install: AgentInstallSettings & { tenantId: string; clusterId: string; agentToken: string; trustRoot: string },
): Promise<KubernetesResult> {
  const client = await kubernetesClient(target, credentials, access);
  return client.apply(
    agentObjects({
      release: AGENT_RELEASE,
      namespace: AGENT_NAMESPACE,
      image: install.image,
      imagePullPolicy: 'IfNotPresent',
      controlPlaneUrl: install.controlPlaneUrl,
      tenantId: install.tenantId,
      clusterId: install.clusterId,
      agentToken: install.agentToken,
      trustRoot: install.trustRoot,
      resources: RESOURCES,
    }),
  );
}
