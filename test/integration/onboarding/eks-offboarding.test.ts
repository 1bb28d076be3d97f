// DELETE /v1/clusters/{id} of an EKS cluster onboarded through a role offboards it as a job: the
// cluster shows `offboarding` (202), the job removes the agent's Kubernetes objects and palisade's
// access entry (DeleteAccessEntry, through the real SDK against the SigV4-checking stand-in), revokes
// the cluster's agent tokens, and the cluster goes away; or it is `failed` with `stage: offboarding`,
// a named reason and the next step. Clusters not onboarded through a role are deleted at once (204).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiClient, createAgentToken, unique } from '../../support/api-client.ts';
import type { AwsStandIn } from '../../support/aws-stand-in.ts';
import {
  type EksWorld,
  type KubernetesStandIns,
  offboardedCluster,
  ROLE_ARN,
  settledCluster,
  standInCluster,
  startEksWorld,
  tenantWithRole,
} from '../../support/eks-onboarding.ts';

describe('deleting an EKS cluster onboarded through a role', () => {
  let world: EksWorld;
  let aws: AwsStandIn;
  let kubernetes: KubernetesStandIns;
  let api: ApiClient;
  let key: string;

  beforeAll(async () => {
    world = await startEksWorld();
    ({ aws, kubernetes, api } = world);
  });
  afterAll(async () => {
    await world?.stop();
  });

  beforeEach(async () => {
    ({ key } = await tenantWithRole(world));
  });

  /** An onboarded cluster: the agent installed, an access entry granted, waiting for agents. */
  async function onboarded() {
    const clusterName = unique('eks');
    aws.clusters.set(clusterName, standInCluster({ name: clusterName }));
    const k8s = await kubernetes.for(clusterName);
    const created = await api.post('/v1/clusters', {
      key,
      body: { name: unique('cluster'), provider: 'eks', aws: { region: 'eu-west-1', clusterName, roleArn: ROLE_ARN } },
    });
    const id = created.body.id as string;
    expect(await settledCluster(api, key, id)).toMatchObject({ status: 'waiting-for-agents' });
    expect(k8s.objects.size).toBe(7);
    expect(aws.accessEntries.get(clusterName)?.has(ROLE_ARN)).toBe(true);
    const token = Buffer.from(String((k8s.list('Secret')[0]!.data as Record<string, string>).token), 'base64').toString('utf8');
    return { id, clusterName, k8s, token };
  }

  const agentReport = (token: string) => api.post('/v1/agent/status', { key: token, body: { nodeName: 'ip-10-0-1-23', appliedRevision: null } });

  it('shows offboarding, removes the objects and the access entry, revokes the agent tokens, then is gone', async () => {
    const { id, clusterName, k8s, token } = await onboarded();
    const handMade = await createAgentToken(api, key, id);
    expect((await agentReport(token)).status).toBe(204);

    const deleted = await api.delete(`/v1/clusters/${id}`, { key });
    expect(deleted.status).toBe(202);
    // Asked again while it runs: nothing new, the same answer.
    const again = await api.delete(`/v1/clusters/${id}`, { key });
    expect([202, 204]).toContain(again.status);

    expect((await offboardedCluster(api, key, id)).status).toBe(404);
    expect(k8s.objects.size).toBe(0);
    expect(k8s.requests.filter((request) => request.method === 'DELETE').every((request) => request.identity === ROLE_ARN)).toBe(true);
    expect(aws.accessEntries.get(clusterName)?.has(ROLE_ARN)).toBe(false);
    expect(aws.requests.filter((request) => request.action === 'eks:DeleteAccessEntry')).toEqual([{ action: 'eks:DeleteAccessEntry', signatureValid: true }]);
    expect((await agentReport(token)).status).toBe(401);
    expect((await agentReport(handMade)).status).toBe(401);
    expect((await api.get('/v1/clusters', { key })).body.items).toEqual([]);
    // Deleting what is gone succeeds, as for every cluster.
    expect((await api.delete(`/v1/clusters/${id}`, { key })).status).toBe(204);
  });

  it('is idempotent: objects already removed by hand count as removed', async () => {
    const { id, clusterName, k8s } = await onboarded();
    k8s.objects.clear();
    expect((await api.delete(`/v1/clusters/${id}`, { key })).status).toBe(202);
    expect((await offboardedCluster(api, key, id)).status).toBe(404);
    expect(k8s.requests.filter((request) => request.method === 'DELETE').map((request) => request.status)).toEqual(Array(7).fill(404));
    expect(aws.accessEntries.get(clusterName)?.has(ROLE_ARN)).toBe(false);
  });

  it('without its access entry palisade cannot reach the objects (401): it says so and what to do', async () => {
    const { id, clusterName } = await onboarded();
    aws.accessEntries.get(clusterName)!.clear();
    expect((await api.delete(`/v1/clusters/${id}`, { key })).status).toBe(202);
    const failed = await offboardedCluster(api, key, id);
    expect(failed.body.onboardingFailure).toMatchObject({ code: 'KUBERNETES_UNAUTHORIZED', action: 'delete daemonsets', stage: 'offboarding' });
    expect(failed.body.onboardingFailure.nextStep).toContain('?force=true');
  });

  it('retries a throttled DeleteAccessEntry past the SDK’s own attempts, then is gone', async () => {
    const { id, clusterName } = await onboarded();
    aws.throttle.set('eks:DeleteAccessEntry', 4);
    expect((await api.delete(`/v1/clusters/${id}`, { key })).status).toBe(202);
    expect((await offboardedCluster(api, key, id)).status).toBe(404);
    expect(aws.accessEntries.get(clusterName)?.has(ROLE_ARN)).toBe(false);
  });

  it('fails with the missing permission named and the next step, keeps the cluster, and finishes when deleted again', async () => {
    const { id, clusterName, token } = await onboarded();
    aws.denied.add('eks:DeleteAccessEntry');
    expect((await api.delete(`/v1/clusters/${id}`, { key })).status).toBe(202);
    const failed = await offboardedCluster(api, key, id);
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({
      status: 'failed',
      onboardingFailure: { code: 'PERMISSION_MISSING', action: 'eks:DeleteAccessEntry', stage: 'offboarding', retryable: false },
    });
    expect(failed.body.onboardingFailure.nextStep).toContain('eks:DeleteAccessEntry');
    expect(failed.body.onboardingFailure.nextStep).toContain('DELETE /v1/clusters/{id} again');
    // Still a live cluster: its agents keep their token until it is gone.
    expect((await agentReport(token)).status).toBe(204);

    aws.denied.clear();
    expect((await api.delete(`/v1/clusters/${id}`, { key })).status).toBe(202);
    expect((await offboardedCluster(api, key, id)).status).toBe(404);
    expect(aws.accessEntries.get(clusterName)?.has(ROLE_ARN)).toBe(false);
  });

  it('names a Kubernetes API refusal (403) with what grants it', async () => {
    const { id, k8s } = await onboarded();
    k8s.forbidden.add('delete clusterrolebindings');
    expect((await api.delete(`/v1/clusters/${id}`, { key })).status).toBe(202);
    const failed = await offboardedCluster(api, key, id);
    expect(failed.body.onboardingFailure).toMatchObject({ code: 'KUBERNETES_FORBIDDEN', action: 'delete clusterrolebindings', stage: 'offboarding' });
    expect(failed.body.onboardingFailure.nextStep).toContain('AmazonEKSClusterAdminPolicy');
  });

  it('with a role that can no longer be assumed, says so; ?force=true deletes at once, leaving AWS to the tenant', async () => {
    const { id, clusterName } = await onboarded();
    aws.roles.set(ROLE_ARN, { roleArn: ROLE_ARN, externalId: 'rotated' });
    expect((await api.delete(`/v1/clusters/${id}`, { key })).status).toBe(202);
    const failed = await offboardedCluster(api, key, id);
    expect(failed.body.onboardingFailure).toMatchObject({ code: 'ROLE_NOT_ASSUMABLE', stage: 'offboarding' });
    expect(failed.body.onboardingFailure.nextStep).toContain('?force=true');

    expect((await api.delete(`/v1/clusters/${id}?force=true`, { key })).status).toBe(204);
    expect((await api.get(`/v1/clusters/${id}`, { key })).status).toBe(404);
    expect(aws.accessEntries.get(clusterName)?.has(ROLE_ARN)).toBe(true);
  });

  it('leaves a cluster EKS no longer knows nothing to remove: it is gone', async () => {
    const { id, clusterName } = await onboarded();
    aws.clusters.delete(clusterName);
    expect((await api.delete(`/v1/clusters/${id}`, { key })).status).toBe(202);
    expect((await offboardedCluster(api, key, id)).status).toBe(404);
  });

  it('deletes a cluster not onboarded through a role at once (204), as before', async () => {
    const created = await api.post('/v1/clusters', { key, body: { name: unique('cluster'), provider: 'eks' } });
    const requests = aws.requests.length;
    expect((await api.delete(`/v1/clusters/${created.body.id}`, { key })).status).toBe(204);
    expect((await api.get(`/v1/clusters/${created.body.id}`, { key })).status).toBe(404);
    expect(aws.requests.length).toBe(requests);
  });
});
