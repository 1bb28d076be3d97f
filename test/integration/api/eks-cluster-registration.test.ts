// Registering an EKS cluster with the role palisade assumes: the settings are validated field by field
// (a refused request changes nothing) and kept with the cluster, and each tenant has one external id
// for the role's trust policy, made once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, signUp, unique } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

const AWS = { region: 'eu-west-1', clusterName: 'prod_eu-1', roleArn: 'arn:aws:iam::123456789012:role/onboarding/palisade' };

describe.each(['postgres', 'pglite'] as const)('EKS cluster registration (%s)', (flavour) => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;

  beforeAll(async () => {
    control = await startTestControlPlane(flavour);
    api = apiClient(control.url);
    ({ key } = await signUp(api));
  });
  afterAll(() => control?.stop());

  it('keeps the region, cluster name and role with the cluster, and shows them on read', async () => {
    const created = await api.post('/v1/clusters', { key, body: { name: unique('eks'), provider: 'eks', aws: AWS } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ provider: 'eks', aws: AWS, status: 'pending' });
    const read = await api.get(`/v1/clusters/${created.body.id}`, { key });
    expect(read.body.aws).toEqual(AWS);
    const other = await api.post('/v1/clusters', { key, body: { name: unique('kind'), provider: 'kind' } });
    expect(other.body.aws).toBeNull();
  });

  it('replacing the cluster without aws drops the settings', async () => {
    const created = await api.post('/v1/clusters', { key, body: { name: unique('eks'), provider: 'eks', aws: AWS } });
    const replaced = await api.put(`/v1/clusters/${created.body.id}`, { key, body: { name: created.body.name, provider: 'eks' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.aws).toBeNull();
  });

  it.each([
    ['aws.roleArn', { ...AWS, roleArn: 'arn:aws:iam::12345:role/x' }, 'eks'],
    ['aws.roleArn', { ...AWS, roleArn: 'arn:aws:iam::123456789012:user/x' }, 'eks'],
    ['aws.region', { ...AWS, region: 'Europe' }, 'eks'],
    ['aws.clusterName', { ...AWS, clusterName: '-prod' }, 'eks'],
    ['aws.roleArn', { region: AWS.region, clusterName: AWS.clusterName }, 'eks'],
    ['aws.externalId', { ...AWS, externalId: 'mine' }, 'eks'],
    ['aws', AWS, 'kind'],
  ])('refuses a bad %s with 422 naming it, and creates nothing', async (path, aws, provider) => {
    const before = await api.get('/v1/clusters', { key });
    const response = await api.post('/v1/clusters', { key, body: { name: unique('bad'), provider, aws } });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
    expect((await api.get('/v1/clusters', { key })).body.items).toHaveLength(before.body.items.length);
  });

  it('gives each tenant its own external id, made once and the same on every read', async () => {
    const first = await api.get('/v1/tenant', { key });
    expect(first.body.awsExternalId).toMatch(/^palisade-[0-9a-f]{32}$/);
    expect((await api.get('/v1/tenant', { key })).body.awsExternalId).toBe(first.body.awsExternalId);
    const other = await signUp(api);
    expect((await api.get('/v1/tenant', { key: other.key })).body.awsExternalId).not.toBe(first.body.awsExternalId);
  });

  it('the API reference tells how to make the role', async () => {
    const document = (await api.get('/openapi.json')).body;
    const description: string = document.paths['/v1/clusters'].post.description;
    expect(description).toContain('sts:ExternalId');
    expect(description).toContain('eks:CreateAccessEntry');
    expect(document.components.schemas.Tenant.properties.awsExternalId).toBeDefined();
  });
});
