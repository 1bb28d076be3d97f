// GET /v1/clusters/{id}/inventory: people read back the namespaces, pods, service accounts and nodes
// the cluster's agent last reported (the console's Explain page picks pods from it), only in their tenant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InventoryInput, inventoryHash, inventorySchema } from '../../../policy/inventory.ts';
import { type ApiClient, apiClient, createAgentToken, createCluster, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

const inventory: InventoryInput = {
  namespaces: [{ name: 'shop', labels: { team: 'shop' } }],
  endpoints: [
    {
      namespace: 'shop',
      name: 'db',
      labels: { app: 'db' },
      ipv4: ['198.18.0.10'],
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
      node: 'node-a',
      hostInterface: 'veth-inv0',
      serviceAccount: { name: 'db', labels: { tier: 'data' } },
      annotations: { 'kubernetes.io/egress-bandwidth': '10M' },
    },
    { namespace: 'shop', name: 'db-replica', labels: { app: 'db' }, ipv4: ['198.18.0.11'], serviceAccount: { name: 'db', labels: { tier: 'data' } } },
    { namespace: 'shop', name: 'front', labels: { app: 'front' }, ipv4: ['198.18.0.12'], node: 'node-b' },
  ],
  nodes: [{ name: 'node-a', labels: { zone: 'a' }, addresses: ['10.0.0.1'] }],
};

describe.each(['postgres', 'pglite'] as const)('cluster inventory on %s', (flavour) => {
  let control: TestControlPlane;
  let api: ApiClient;
  let owner: { key: string; tenantId: string };
  let viewerKey: string;
  let clusterId: string;

  beforeAll(async () => {
    control = await startTestControlPlane(flavour);
    api = apiClient(control.url);
    owner = await signUp(api);
    clusterId = (await createCluster(api, owner.key)).id;
    const viewer = await api.post('/v1/api-keys', { key: owner.key, body: { name: 'read-only', role: 'viewer' } });
    expect(viewer.status).toBe(201);
    viewerKey = viewer.body.key;
  });
  afterAll(() => control?.stop());

  it('says no inventory has been reported yet, as a 409 problem', async () => {
    const response = await api.get(`/v1/clusters/${clusterId}/inventory`, { key: viewerKey });
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.code).toBe('NO_INVENTORY');
    expect(response.body.detail).toMatch(/agent/);
  });

  it('returns the reported namespaces, pods, service accounts and nodes to a viewer', async () => {
    const token = await createAgentToken(api, owner.key, clusterId);
    expect((await api.put('/v1/agent/inventory?nodeName=node-a', { key: token, body: inventory })).status).toBe(200);

    const response = await api.get(`/v1/clusters/${clusterId}/inventory`, { key: viewerKey });
    expect(response.status).toBe(200);
    const body = response.body;
    expect(body.clusterId).toBe(clusterId);
    expect(body.hash).toBe(inventoryHash(inventorySchema.parse(inventory)));
    expect(body.reportedBy).toBe('node-a');
    expect(Number.isNaN(Date.parse(body.reportedAt))).toBe(false);
    expect(body.namespaces).toEqual([{ name: 'shop', labels: { team: 'shop', 'kubernetes.io/metadata.name': 'shop' } }]);
    expect(body.endpoints.map((e: { namespace: string; name: string }) => `${e.namespace}/${e.name}`)).toEqual(['shop/db', 'shop/db-replica', 'shop/front']);
    expect(body.endpoints[0]).toEqual({
      namespace: 'shop',
      name: 'db',
      labels: { app: 'db' },
      ipv4: ['198.18.0.10'],
      ipv6: [],
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
      node: 'node-a',
      serviceAccount: { name: 'db', labels: { tier: 'data' } },
    });
    // Two pods run as shop/db: the account is listed once.
    expect(body.serviceAccounts).toEqual([{ namespace: 'shop', name: 'db', labels: { tier: 'data' } }]);
    expect(body.nodes).toEqual([{ name: 'node-a', labels: { zone: 'a' }, addresses: ['10.0.0.1'] }]);
  });

  it('shows the latest report only', async () => {
    const token = await createAgentToken(api, owner.key, clusterId);
    const smaller = { ...inventory, endpoints: inventory.endpoints.slice(2) };
    expect((await api.put('/v1/agent/inventory?nodeName=node-b', { key: token, body: smaller })).status).toBe(200);
    const response = await api.get(`/v1/clusters/${clusterId}/inventory`, { key: owner.key });
    expect(response.status).toBe(200);
    expect(response.body.reportedBy).toBe('node-b');
    expect(response.body.endpoints.map((e: { name: string }) => e.name)).toEqual(['front']);
    expect(response.body.serviceAccounts).toEqual([]);
  });

  it("is another tenant's 404, and needs a credential", async () => {
    const stranger = await signUp(api);
    const foreign = await api.get(`/v1/clusters/${clusterId}/inventory`, { key: stranger.key });
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get('content-type')).toBe('application/problem+json');
    expect((await api.get(`/v1/clusters/${clusterId}/inventory`)).status).toBe(401);
  });

  it('is documented in the OpenAPI description', async () => {
    const response = await api.get('/openapi.json');
    expect(response.status).toBe(200);
    const operation = response.body.paths['/v1/clusters/{id}/inventory']?.get;
    expect(operation?.operationId).toBe('getClusterInventory');
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '404', '409']));
    expect(response.body.components.schemas.ClusterInventory).toBeDefined();
  });
});
