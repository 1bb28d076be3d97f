// Onboarding's install step: after inspection and the access entry, the job installs the agent through
// the cluster's Kubernetes API (status `installing`), authenticated with an EKS bearer token (a
// presigned STS GetCallerIdentity carrying the cluster's name), and creates the same objects the Helm
// chart renders: namespace, service account, RBAC, a Secret with a fresh agent token, the trust root
// and the DaemonSet. The Kubernetes API stand-in (test/support/kubernetes-stand-in.ts) verifies the
// token through the AWS stand-in's STS and admits only objects that pass the Kubernetes schemas and
// the API server's cross-field rules.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { V1DaemonSet } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { AGENT_NAMESPACE, AGENT_RELEASE, type AgentInstallValues, agentObjects } from '../../../workers/onboarding/agent-manifests.ts';
import { EKS_TOKEN_PREFIX, eksBearerToken } from '../../../workers/onboarding/eks-token.ts';
import { CHART_TEMPLATE_PATH } from '../../../workers/onboarding/helm-template.ts';
import { assumeTenantRole } from '../../../workers/onboarding/inspect-eks-cluster.ts';
import { kubernetesClient } from '../../../workers/onboarding/kubernetes-api.ts';
import { type ApiClient, unique } from '../../support/api-client.ts';
import { type AwsStandIn, BASE_CREDENTIALS } from '../../support/aws-stand-in.ts';
import {
  type EksWorld,
  type KubernetesStandIns,
  ROLE_ARN,
  settledCluster,
  standInCluster,
  startEksWorld,
  tenantWithRole,
} from '../../support/eks-onboarding.ts';
import { renderHelmTemplate } from '../../support/helm-subset.ts';

const CONTROL_PLANE_URL = 'https://api.palisade.test';
const IMAGE = 'registry.example/palisade/palisade-agent:9.9.9';
const INSTALL_VALUES: AgentInstallValues = {
  release: AGENT_RELEASE,
  namespace: AGENT_NAMESPACE,
  image: IMAGE,
  imagePullPolicy: 'IfNotPresent',
  controlPlaneUrl: CONTROL_PLANE_URL,
  tenantId: '0192f4c6-3f7a-7cc2-a0a4-8d1e2b3c4d5e',
  clusterId: '',
  agentToken: 'pag_test',
  trustRoot: '{"keys":[]}',
  resources: { requests: { cpu: '50m', memory: '96Mi' } },
};

describe('onboarding installs the agent through the Kubernetes API', () => {
  let world: EksWorld;
  let aws: AwsStandIn;
  let kubernetes: KubernetesStandIns;
  let api: ApiClient;
  let key: string;
  let tenantId: string;
  let externalId: string;

  beforeAll(async () => {
    world = await startEksWorld({ AGENT_CONTROL_PLANE_URL: CONTROL_PLANE_URL, AGENT_IMAGE: IMAGE });
    ({ aws, kubernetes, api } = world);
  });
  afterAll(async () => {
    await world?.stop();
  });

  beforeEach(async () => {
    ({ key, tenantId, externalId } = await tenantWithRole(world));
  });

  /** A cluster in AWS with its Kubernetes API, not registered with palisade (no onboarding runs against it). */
  async function standIn() {
    const clusterName = unique('eks');
    aws.clusters.set(clusterName, standInCluster({ name: clusterName, authenticationMode: 'API' }));
    return { clusterName, k8s: await kubernetes.for(clusterName) };
  }

  async function register() {
    const { clusterName, k8s } = await standIn();
    const created = await api.post('/v1/clusters', {
      key,
      body: { name: unique('cluster'), provider: 'eks', aws: { region: 'eu-west-1', clusterName, roleArn: ROLE_ARN } },
    });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, clusterName, k8s };
  }

  const secretToken = (k8s: Awaited<ReturnType<KubernetesStandIns['for']>>) =>
    Buffer.from(String((k8s.list('Secret')[0]!.data as Record<string, string>).token), 'base64').toString('utf8');

  it('creates the chart’s objects with a verified EKS token, and the installed token and trust root let an agent connect', async () => {
    const { id, k8s } = await register();
    expect(await settledCluster(api, key, id)).toMatchObject({ status: 'waiting-for-agents', onboardingFailure: null });

    // Every request carried a token STS verified for this cluster's name, as the role palisade assumed.
    expect(k8s.requests.length).toBeGreaterThan(0);
    expect(k8s.requests.every((request) => request.identity === ROLE_ARN)).toBe(true);
    expect(k8s.requests.map((request) => `${request.method} ${request.status}`)).toEqual(Array(7).fill('POST 201'));
    const kinds = ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret', 'ConfigMap', 'DaemonSet'];
    expect(kinds.map((kind) => k8s.list(kind).length)).toEqual(kinds.map(() => 1));
    expect(k8s.list('Namespace')[0]!.metadata.name).toBe('palisade-system');

    // The same objects `helm template` renders from the chart with these values.
    const agentToken = secretToken(k8s);
    const trustRoot = (await api.get('/v1/trust-root')).text;
    const configMap = k8s.list('ConfigMap')[0]!;
    expect(JSON.parse(String((configMap.data as Record<string, string>)['trust-root.json']))).toEqual(JSON.parse(trustRoot));
    const rendered = renderHelmTemplate(readFileSync(fileURLToPath(new URL(`../../../${CHART_TEMPLATE_PATH}`, import.meta.url)), 'utf8'), {
      name: 'palisade',
      namespace: 'palisade-system',
      values: {
        image: { repository: IMAGE.slice(0, IMAGE.lastIndexOf(':')), tag: IMAGE.slice(IMAGE.lastIndexOf(':') + 1), pullPolicy: 'IfNotPresent' },
        controlPlaneUrl: CONTROL_PLANE_URL,
        tenantId,
        clusterId: id,
        agentToken,
        trustRoot: String((configMap.data as Record<string, string>)['trust-root.json']),
        resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '512Mi' } },
      },
    });
    const chartDaemonSet = parseAllDocuments(rendered)
      .map((document) => document.toJS())
      .find((object) => object.kind === 'DaemonSet');
    expect(k8s.list('DaemonSet')[0]!.spec).toEqual(chartDaemonSet.spec);

    // What a (dry-run) agent sends when it starts, with the token the install put in the Secret.
    expect((await api.post('/v1/agent/status', { key: agentToken, body: { nodeName: 'ip-10-0-1-23', appliedRevision: null } })).status).toBe(204);
    expect((await api.get(`/v1/clusters/${id}`, { key })).body.status).toBe('connected');
  });

  it('refuses a bearer token minted for another cluster’s name, and one that is not an EKS token', async () => {
    const { clusterName, k8s } = await standIn();
    const assumed = await assumeTenantRole(
      { endpoints: { sts: aws.url }, credentials: BASE_CREDENTIALS },
      { region: 'eu-west-1', clusterName, roleArn: ROLE_ARN },
      { externalId, sessionName: 'test' },
    );
    if (!assumed.ok) throw new Error(assumed.failure.reason);
    const mint = (name: string) => eksBearerToken({ clusterName: name, region: 'eu-west-1', credentials: assumed.credentials, stsEndpoint: aws.url });
    const own = await mint(clusterName);
    expect(own.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
    expect(await k8s.authenticate(`Bearer ${own}`)).toBe(ROLE_ARN);
    expect(await k8s.authenticate(`Bearer ${await mint('someone-elses-cluster')}`)).toBeUndefined();
    expect(await k8s.authenticate(`Bearer ${own.slice(EKS_TOKEN_PREFIX.length)}`)).toBeUndefined();
  });

  it('is refused (422 Invalid, a named reason) for an object the API server would not admit, as the old chart’s DaemonSet', async () => {
    const { clusterName, k8s } = await standIn();
    const assumed = await assumeTenantRole(
      { endpoints: { sts: aws.url }, credentials: BASE_CREDENTIALS },
      { region: 'eu-west-1', clusterName, roleArn: ROLE_ARN },
      { externalId, sessionName: 'test' },
    );
    if (!assumed.ok) throw new Error(assumed.failure.reason);
    aws.accessEntries.set(
      clusterName,
      new Map([[ROLE_ARN, { principalArn: ROLE_ARN, type: 'STANDARD', tags: {}, policies: new Map([['admin', { type: 'cluster', namespaces: [] }]]) }]]),
    );
    const objects = agentObjects({ ...INSTALL_VALUES, clusterId: clusterName });
    const daemonSet = objects.at(-1) as V1DaemonSet;
    // What the old chart did: Bidirectional propagation in the unprivileged agent container.
    daemonSet.spec!.template.spec!.containers[0]!.volumeMounts!.find((mount) => mount.name === 'bpffs')!.mountPropagation = 'Bidirectional';
    const client = await kubernetesClient(
      { endpoint: k8s.url, certificateAuthority: '', clusterName, region: 'eu-west-1', access: 'access-entry', roleArn: ROLE_ARN },
      assumed.credentials,
      { endpoints: { sts: aws.url } },
    );
    const result = await client.apply(objects);
    expect(result).toMatchObject({ ok: false, failure: { code: 'KUBERNETES_REFUSED', action: 'create daemonsets', retryable: false } });
    expect(!result.ok && result.failure.reason).toMatch(/422 .*mountPropagation/);
    expect(k8s.list('DaemonSet')).toEqual([]);
  });

  it('fails naming the refused verb and resource and what grants it (403), then installs idempotently once fixed', async () => {
    const { id, clusterName, k8s } = await register();
    k8s.forbidden.add('create daemonsets');
    const failed = await settledCluster(api, key, id);
    expect(failed.status).toBe('failed');
    expect(failed.onboardingFailure).toMatchObject({ code: 'KUBERNETES_FORBIDDEN', action: 'create daemonsets', retryable: false });
    expect(failed.onboardingFailure.reason).toContain('403');
    expect(failed.onboardingFailure.nextStep).toContain('AmazonEKSClusterAdminPolicy');
    const firstToken = secretToken(k8s);

    k8s.forbidden.clear();
    k8s.requests.length = 0;
    const replaced = await api.put(`/v1/clusters/${id}`, {
      key,
      headers: { 'if-match': (await api.get(`/v1/clusters/${id}`, { key })).headers.get('etag')! },
      body: { name: failed.name, provider: 'eks', aws: { region: 'eu-west-1', clusterName, roleArn: ROLE_ARN } },
    });
    expect(replaced.status).toBe(200);
    expect(await settledCluster(api, key, id)).toMatchObject({ status: 'waiting-for-agents', onboardingFailure: null });
    // Objects already there were answered 409 AlreadyExists and replaced; the DaemonSet was created.
    expect(k8s.requests.filter((request) => request.status === 409).length).toBe(6);
    expect(k8s.requests.filter((request) => request.method === 'PUT' && request.status === 200).length).toBe(6);
    expect(k8s.list('DaemonSet').length).toBe(1);
    // The re-run installed a fresh token; the one from the failed run no longer works.
    const secondToken = secretToken(k8s);
    expect(secondToken).not.toBe(firstToken);
    expect((await api.post('/v1/agent/status', { key: firstToken, body: { nodeName: 'n1', appliedRevision: null } })).status).toBe(401);
    expect((await api.post('/v1/agent/status', { key: secondToken, body: { nodeName: 'n1', appliedRevision: null } })).status).toBe(204);
  });

  it('retries an API server that answers 503, then installs', async () => {
    const { id, k8s } = await register();
    k8s.unavailable = 2;
    expect(await settledCluster(api, key, id)).toMatchObject({ status: 'waiting-for-agents' });
    expect(k8s.requests.filter((request) => request.status === 503).length).toBe(2);
    expect(k8s.list('DaemonSet').length).toBe(1);
  });
});
