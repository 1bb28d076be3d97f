// The agent's Kubernetes objects (workers/onboarding/agent-manifests.ts): one source for the Helm
// chart and for EKS onboarding, and objects an API server accepts — checked against the Kubernetes
// schemas in @kubernetes/client-node's models and the API server's rules across fields.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadAgentConfig } from '../../../agent/config.ts';
import { AGENT_NAMESPACE, AGENT_RELEASE, type AgentInstallValues, type AgentObject, agentObjects } from '../../../workers/onboarding/agent-manifests.ts';
import { agentChartTemplate, CHART_TEMPLATE_PATH } from '../../../workers/onboarding/helm-template.ts';
import { renderHelmTemplate } from '../../support/helm-subset.ts';
import { apiServerRuleIssues } from '../../support/kubernetes-rules.ts';
import { schemaIssues } from '../../support/kubernetes-schema.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8');

const TRUST_ROOT = JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', kid: 'k1', x: 'AAAA' }] });
const VALUES: AgentInstallValues = {
  release: AGENT_RELEASE,
  namespace: AGENT_NAMESPACE,
  image: 'ghcr.io/palisade/palisade-agent:0.1.0',
  imagePullPolicy: 'IfNotPresent',
  controlPlaneUrl: 'https://api.palisade.example',
  tenantId: '0192f4c6-3f7a-7cc2-a0a4-8d1e2b3c4d5e',
  clusterId: '0192f4c6-3f7a-7cc2-a0a4-8d1e2b3c4d5f',
  agentToken: 'pat_agent_0123456789abcdef',
  trustRoot: TRUST_ROOT,
  resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '512Mi' } },
};

type Json = Record<string, unknown>;
const json = (object: AgentObject) => JSON.parse(JSON.stringify(object)) as Json;
const daemonSetOf = (objects: AgentObject[]) => json(objects.find((object) => object.kind === 'DaemonSet')!) as any;

describe('the agent objects an API server accepts', () => {
  const objects = agentObjects(VALUES);

  it('installs a namespace, service account, RBAC, token Secret, trust root and DaemonSet, in that order', () => {
    expect(objects.map((object) => object.kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Secret',
      'ConfigMap',
      'DaemonSet',
    ]);
  });

  it('lets the agent list and watch everything its Kubernetes inventory source reads, Services and EndpointSlices included', () => {
    const role = json(objects.find((object) => object.kind === 'ClusterRole')!) as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    const grants = (group: string, resource: string) =>
      role.rules.some((rule) => rule.apiGroups.includes(group) && rule.resources.includes(resource) && ['list', 'watch'].every((v) => rule.verbs.includes(v)));
    const source = read('agent/inventory/kubernetes-source.ts');
    for (const [group, resource] of [
      ['', 'pods'],
      ['', 'namespaces'],
      ['', 'serviceaccounts'],
      ['', 'nodes'],
      ['', 'services'],
      ['discovery.k8s.io', 'endpointslices'],
    ] as const) {
      expect(source).toContain(group === '' ? `'/api/v1/${resource}'` : `'/apis/${group}/v1/${resource}'`);
      expect(grants(group, resource), `${group}/${resource}`).toBe(true);
    }
  });

  it.each(objects.map((object) => [object.kind, object] as const))('%s conforms to its Kubernetes schema and the API server rules', (_kind, object) => {
    expect(schemaIssues(json(object))).toEqual([]);
    expect(apiServerRuleIssues(json(object))).toEqual([]);
  });

  it('refuses Bidirectional propagation in the unprivileged agent container, as the old chart had it', () => {
    const daemonSet = daemonSetOf(objects);
    const agent = daemonSet.spec.template.spec.containers[0];
    agent.volumeMounts.find((mount: Json) => mount.name === 'bpffs').mountPropagation = 'Bidirectional';
    expect(apiServerRuleIssues(daemonSet)).toEqual([
      'spec.template.spec.containers[0].volumeMounts[2].mountPropagation: Forbidden: Bidirectional mount propagation is available only to privileged containers',
    ]);
  });

  it('refuses CAP_SYS_ADMIN beside allowPrivilegeEscalation: false, a selector that misses the template, and a mount of no volume', () => {
    const daemonSet = daemonSetOf(objects);
    const pod = daemonSet.spec.template.spec;
    pod.containers[0].securityContext.capabilities.add.push('SYS_ADMIN');
    daemonSet.spec.selector.matchLabels = { app: 'other' };
    pod.containers[0].volumeMounts.push({ name: 'nowhere', mountPath: '/nowhere' });
    expect(apiServerRuleIssues(daemonSet)).toEqual([
      'spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`',
      'spec.template.spec.containers[0].securityContext: Invalid value: cannot set allowPrivilegeEscalation to false and capabilities.Add CAP_SYS_ADMIN',
      'spec.template.spec.containers[0].volumeMounts[3].name: Not found: "nowhere"',
    ]);
  });

  it('the schema check names unknown fields, wrong types and missing required fields', () => {
    const daemonSet = daemonSetOf(objects);
    daemonSet.spec.template.spec.containers[0].securityContext.capabilites = { add: ['BPF'] };
    daemonSet.spec.template.spec.hostNetwork = 'true';
    delete daemonSet.spec.template.spec.containers[0].name;
    expect(schemaIssues(daemonSet).sort()).toEqual([
      'DaemonSet.spec.template.spec.containers[0].name: required',
      'DaemonSet.spec.template.spec.containers[0].securityContext.capabilites: unknown field (V1SecurityContext has no such field)',
      'DaemonSet.spec.template.spec.hostNetwork: must be a boolean',
    ]);
  });

  it('gives privilege only to the one-shot container that mounts the node bpffs; the agent keeps three capabilities', () => {
    const pod = daemonSetOf(objects).spec.template.spec;
    const [mount] = pod.initContainers;
    const [agent] = pod.containers;
    expect(mount.securityContext).toEqual({ privileged: true });
    expect(mount.volumeMounts).toEqual([{ name: 'bpffs', mountPath: '/sys/fs/bpf', mountPropagation: 'Bidirectional' }]);
    expect(agent.securityContext.privileged).toBeUndefined();
    expect(agent.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['BPF', 'NET_ADMIN', 'PERFMON'] });
    expect(agent.volumeMounts.find((m: Json) => m.name === 'bpffs').mountPropagation).toBe('HostToContainer');
  });

  it('runs the compiled agent, as the image built from infra/docker/Dockerfile has it', () => {
    const [agent] = daemonSetOf(objects).spec.template.spec.containers;
    expect(agent.command).toEqual(['node', '--max-semi-space-size=2', '--expose-gc', 'dist/agent/main.js']);
    const dockerfile = read('infra/docker/Dockerfile');
    const agentStage = dockerfile.slice(dockerfile.indexOf('AS agent'));
    expect(agentStage).toContain('WORKDIR /app');
    expect(agentStage).toContain('COPY --from=build /src/dist ./dist');
    expect(agentStage).toContain(`ENTRYPOINT ${JSON.stringify(agent.command).replaceAll(',', ', ')}`);
    // build/build.ts bundles the agent (build/agent-bundle.ts) into dist/agent/main.js.
    expect(read('build/build.ts')).toContain("bundleAgent(ROOT, join(outDir, 'agent'))");
    expect(read('build/agent-bundle.ts')).toContain('entryPoints: { main: AGENT_ENTRY }');
  });

  it('the environment it gives the agent is a valid agent configuration naming the mounted credentials', async () => {
    const daemonSet = daemonSetOf(objects);
    const [agent] = daemonSet.spec.template.spec.containers;
    const env: Record<string, string> = {};
    for (const variable of agent.env)
      env[variable.name] = variable.value ?? (variable.valueFrom.fieldRef.fieldPath === 'spec.nodeName' ? 'ip-10-0-1-23.ec2.internal' : '');
    const loaded = await loadAgentConfig({ env, argv: [] });
    expect(loaded).toMatchObject({
      ok: true,
      config: {
        tenantId: VALUES.tenantId,
        clusterId: VALUES.clusterId,
        nodeName: 'ip-10-0-1-23.ec2.internal',
        inventory: { source: 'kubernetes' },
        dataplane: 'ebpf',
      },
    });
    if (!loaded.ok) return;
    const credentials = agent.volumeMounts.find((mount: Json) => mount.name === 'credentials').mountPath;
    const projected = daemonSet.spec.template.spec.volumes.find((volume: Json) => volume.name === 'credentials').projected.sources;
    const files = projected.flatMap((source: any) => (source.secret ?? source.configMap).items.map((item: Json) => `${credentials}/${item.path}`));
    expect(files.sort()).toEqual([loaded.config.tokenFile, loaded.config.trustRootFile].sort());
  });
});

describe('the Helm chart and onboarding install the same objects', () => {
  it('the committed chart template is the one generated from the objects (run `npm run chart` after changing them)', () => {
    expect(read(CHART_TEMPLATE_PATH)).toBe(agentChartTemplate());
  });

  it('rendering the chart with its values gives exactly the objects onboarding applies (less the namespace Helm makes)', () => {
    const chartValues = parse(read('infra/helm/palisade-agent/values.yaml')) as Json;
    const values = {
      ...chartValues,
      controlPlaneUrl: VALUES.controlPlaneUrl,
      tenantId: VALUES.tenantId,
      clusterId: VALUES.clusterId,
      agentToken: VALUES.agentToken,
      trustRoot: TRUST_ROOT,
    };
    const rendered = renderHelmTemplate(read(CHART_TEMPLATE_PATH), { name: AGENT_RELEASE, namespace: AGENT_NAMESPACE, values });
    const documents = parseAllDocuments(rendered).map((document) => document.toJS());
    expect(documents).toEqual(agentObjects(VALUES, { namespace: false }).map(json));
  });

  it('the chart refuses to render without the cluster binding', () => {
    const chartValues = parse(read('infra/helm/palisade-agent/values.yaml')) as Json;
    expect(() => renderHelmTemplate(read(CHART_TEMPLATE_PATH), { name: 'x', namespace: 'y', values: chartValues })).toThrow(/is required/);
  });
});
