// The agent's Kubernetes objects, in one place: EKS onboarding applies them through the Kubernetes
// API, and the Helm chart's template (infra/helm/palisade-agent/templates/agent.yaml) is generated
// from them by `npm run chart` (build/helm-chart.ts), so the two cannot drift apart
// (test/unit/onboarding/agent-manifests.test.ts renders the chart and compares).
//
// The agent gets its settings from PALISADE_* environment variables (agent/config.ts), whole values
// each, so the chart substitutes one Helm expression per value. The bundle token sits in a Secret and
// the trust root (public keys) in a ConfigMap, both mounted at /etc/palisade.
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1ConfigMap,
  V1DaemonSet,
  V1Namespace,
  V1ResourceRequirements,
  V1Secret,
  V1ServiceAccount,
} from '@kubernetes/client-node';

/** The namespace onboarding installs into, and the one its access entry is scoped to. */
export const AGENT_NAMESPACE = 'palisade-system';
/** The release name onboarding uses: objects are named `<release>-agent`. */
export const AGENT_RELEASE = 'palisade';

export interface AgentInstallValues {
  /** Prefix of every object's name (Helm's release name). */
  release: string;
  namespace: string;
  /** `repository:tag` of the image built from infra/docker/Dockerfile's `agent` target. */
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  controlPlaneUrl: string;
  tenantId: string;
  clusterId: string;
  /** A cluster-scoped agent token (POST /v1/clusters/{id}/agent-tokens). */
  agentToken: string;
  /** The JWKS agents verify bundles with (GET /v1/trust-root), as JSON text: pinned at install time. */
  trustRoot: string;
  resources: V1ResourceRequirements;
}

export type AgentObject = V1Namespace | V1ServiceAccount | V1ClusterRole | V1ClusterRoleBinding | V1Secret | V1ConfigMap | V1DaemonSet;

const CREDENTIALS_DIR = '/etc/palisade';
const STATE_DIR = '/var/lib/palisade';
const BPFFS = '/sys/fs/bpf';
const SELECTOR = { 'app.kubernetes.io/name': 'palisade-agent' };

/**
 * The objects in the order they are applied (the namespace first, the DaemonSet last, so its pods
 * start with their credentials in place). Helm makes the namespace itself, so the chart leaves it out.
 */
export function agentObjects(values: AgentInstallValues, options: { namespace: boolean } = { namespace: true }): AgentObject[] {
  const name = `${values.release}-agent`;
  const labels = { ...SELECTOR, 'app.kubernetes.io/managed-by': 'palisade' };
  const namespaced = { name, namespace: values.namespace, labels };
  const objects: AgentObject[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: namespaced },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, labels },
      // Selectors resolve against pods and namespaces, policies may select service accounts, rules
      // may name nodes and Services (their ClusterIPs and EndpointSlices) as peers; the agent writes
      // nothing to the Kubernetes API.
      rules: [
        { apiGroups: [''], resources: ['pods', 'namespaces', 'serviceaccounts', 'nodes', 'services'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: values.namespace }],
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: namespaced, type: 'Opaque', stringData: { token: values.agentToken } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: namespaced, data: { 'trust-root.json': values.trustRoot } },
    agentDaemonSet(values, name, labels),
  ];
  if (!options.namespace) return objects;
  return [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: values.namespace, labels } }, ...objects];
}

/**
 * Node's flags in the agent's shipped command, here and in infra/docker/Dockerfile's ENTRYPOINT (which
 * says why the young generation is small and gc is exposed; test/unit/onboarding/agent-manifests.test.ts
 * keeps the two equal); the Helm chart is generated from this DaemonSet and the bench runs the agent
 * with them.
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--expose-gc'];

function agentDaemonSet(values: AgentInstallValues, name: string, labels: Record<string, string>): V1DaemonSet {
  const setting = (variable: string, value: string) => ({ name: variable, value });
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: values.namespace, labels },
    spec: {
      selector: { matchLabels: SELECTOR },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: name,
          // Pods' host-side veths live in the node's network namespace: programs attach there.
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          priorityClassName: 'system-node-critical',
          tolerations: [{ operator: 'Exists' }],
          // Windows nodes run no eBPF; Fargate has no nodes to schedule on (EKS onboarding reports both).
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          initContainers: [
            {
              // Pins must live in the NODE's bpffs to outlive the agent (agent/datapath/pins.ts). Most
              // nodes mount one at boot; where none is, this one-shot container mounts it, and only a
              // mount made with Bidirectional propagation reaches the host. The API server allows
              // Bidirectional only in a privileged container: so this container, which runs one
              // command and exits, is the privileged one, and the agent itself is not.
              name: 'mount-bpffs',
              image: values.image,
              imagePullPolicy: values.imagePullPolicy,
              command: ['sh', '-c', `[ "$(stat -f -c %T ${BPFFS})" = bpf_fs ] || mount -t bpf bpf ${BPFFS}`],
              securityContext: { privileged: true },
              resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
              volumeMounts: [{ name: 'bpffs', mountPath: BPFFS, mountPropagation: 'Bidirectional' }],
            },
          ],
          containers: [
            {
              name: 'agent',
              image: values.image,
              imagePullPolicy: values.imagePullPolicy,
              // The compiled agent (`npm run build`), as the image's entry point runs it; never tsx.
              command: ['node', ...AGENT_NODE_FLAGS, 'dist/agent/main.js'],
              env: [
                setting('PALISADE_CONTROL_PLANE_URL', values.controlPlaneUrl),
                setting('PALISADE_TENANT_ID', values.tenantId),
                setting('PALISADE_CLUSTER_ID', values.clusterId),
                { name: 'PALISADE_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                setting('PALISADE_TOKEN_FILE', `${CREDENTIALS_DIR}/token`),
                setting('PALISADE_TRUST_ROOT_FILE', `${CREDENTIALS_DIR}/trust-root.json`),
                setting('PALISADE_STATE_DIR', STATE_DIR),
                setting('PALISADE_INVENTORY', 'kubernetes'),
              ],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: {
                  drop: ['ALL'],
                  add: [
                    // Load programs and create maps (LPM tries, LRU hashes, the flow ring buffer), pin them.
                    'BPF',
                    // Attach tc/tcx programs to pods' interfaces; the kernel asks it of networking program types.
                    'NET_ADMIN',
                    // The map-driven classifier indexes map values with computed offsets; without it the
                    // verifier applies its Spectre v1 restrictions to unprivileged loaders and refuses them.
                    'PERFMON',
                  ],
                },
              },
              resources: values.resources,
              volumeMounts: [
                { name: 'credentials', mountPath: CREDENTIALS_DIR, readOnly: true },
                { name: 'state', mountPath: STATE_DIR },
                // The node's bpffs as the init container left it; HostToContainer also carries a later
                // remount on the host into the container, and needs no privilege.
                { name: 'bpffs', mountPath: BPFFS, mountPropagation: 'HostToContainer' },
              ],
            },
          ],
          volumes: [
            {
              name: 'credentials',
              projected: {
                sources: [
                  { secret: { name, items: [{ key: 'token', path: 'token' }] } },
                  { configMap: { name, items: [{ key: 'trust-root.json', path: 'trust-root.json' }] } },
                ],
              },
            },
            // The last good bundle and the applied revision, kept across agent restarts.
            { name: 'state', hostPath: { path: STATE_DIR, type: 'DirectoryOrCreate' } },
            { name: 'bpffs', hostPath: { path: BPFFS, type: 'DirectoryOrCreate' } },
          ],
        },
      },
    },
  };
}
