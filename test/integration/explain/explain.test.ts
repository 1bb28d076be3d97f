// "Why was this dropped?": GET /v1/clusters/{id}/explain evaluates the latest bundle against the
// inventory the agent reported (PUT /v1/agent/inventory) with the reference evaluator, and names
// the tier, policy and rule (or tier default) that decided each direction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InventoryInput, inventoryHash, inventorySchema } from '../../../policy/inventory.ts';
import { type ApiClient, apiClient, createAgentToken, createCluster, createPolicy, signUp } from '../../support/api-client.ts';
import { waitForRevision } from '../../support/bundles.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

const inventory: InventoryInput = {
  namespaces: [
    { name: 'shop', labels: { team: 'shop' } },
    { name: 'web', labels: { team: 'web' } },
  ],
  endpoints: [
    { namespace: 'shop', name: 'db', labels: { app: 'db' }, ipv4: ['198.18.0.10'], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }], node: 'node-a' },
    { namespace: 'web', name: 'front', labels: { app: 'front' }, ipv4: ['198.18.0.11'], node: 'node-a' },
    { namespace: 'web', name: 'other', labels: { app: 'other' }, ipv4: ['198.18.0.12'], node: 'node-b' },
  ],
};

/** shop/db takes 5432 from web pods labelled app=front; the policy selects db, so all else to it is denied. */
const dbIngress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'db-ingress', namespace: 'shop' },
  spec: {
    podSelector: { matchLabels: { app: 'db' } },
    policyTypes: ['Ingress'],
    ingress: [
      {
        from: [{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: { app: 'front' } } }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
    ],
  },
};

const explainPath = (clusterId: string, from: string, to: string, port = 5432, protocol = 'TCP') =>
  `/v1/clusters/${clusterId}/explain?${new URLSearchParams({ from, to, port: String(port), protocol })}`;

describe.each(['postgres', 'pglite'] as const)('explain on %s', (flavour) => {
  let control: TestControlPlane;
  let api: ApiClient;
  let owner: { key: string; tenantId: string };
  let viewerKey: string;
  let clusterId: string;
  let token: string;

  beforeAll(async () => {
    control = await startTestControlPlane(flavour);
    api = apiClient(control.url);
    owner = await signUp(api);
    clusterId = (await createCluster(api, owner.key)).id;
    token = await createAgentToken(api, owner.key, clusterId);
    const viewer = await api.post('/v1/api-keys', { key: owner.key, body: { name: 'read-only', role: 'viewer' } });
    expect(viewer.status).toBe(201);
    viewerKey = viewer.body.key;
  });
  afterAll(() => control?.stop());

  it('says what to do when no inventory has been reported yet', async () => {
    const response = await api.get(explainPath(clusterId, 'web/front', 'shop/db'), { key: viewerKey });
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.code).toBe('NO_INVENTORY');
    expect(response.body.detail).toMatch(/no endpoint inventory has been reported/);
    expect(response.body.detail).toMatch(/agent/);
  });

  it('stores the inventory an agent reports, with the hash the agent computes', async () => {
    const response = await api.put('/v1/agent/inventory?nodeName=node-a', { key: token, body: inventory });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ hash: inventoryHash(inventorySchema.parse(inventory)), namespaces: 2, endpoints: 3 });
    // An API key is not an agent token; an invalid inventory is refused with the field.
    expect((await api.put('/v1/agent/inventory?nodeName=node-a', { key: owner.key, body: inventory })).status).toBe(401);
    const bad = await api.put('/v1/agent/inventory?nodeName=node-a', {
      key: token,
      body: { ...inventory, endpoints: [{ ...inventory.endpoints[0], namespace: 'nowhere' }] },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'endpoints.0.namespace' })]);
    const noNode = await api.put('/v1/agent/inventory', { key: token, body: inventory });
    expect(noNode.status).toBe(422);
  });

  it('allows everything before any policy, with empty traces', async () => {
    const response = await api.get(explainPath(clusterId, 'web/other', 'shop/db'), { key: viewerKey });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ verdict: 'allow', egress: { verdict: 'allow', trace: [] }, ingress: { verdict: 'allow', trace: [] } });
    expect(response.body.inventoryHash).toBe(inventoryHash(inventorySchema.parse(inventory)));
  });

  describe('with a policy selecting the server for ingress', () => {
    let revision: number;
    beforeAll(async () => {
      await createPolicy(api, owner.key, clusterId, dbIngress);
      revision = (await waitForRevision(api, token, 2)).revision;
    });

    it('names the allowing rule for an allowed connection', async () => {
      const response = await api.get(explainPath(clusterId, 'web/front', 'shop/db'), { key: viewerKey });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        verdict: 'allow',
        from: 'web/front',
        to: 'shop/db',
        port: 5432,
        protocol: 'TCP',
        revision,
        inventoryReportedBy: 'node-a',
        egress: { verdict: 'allow', trace: [] },
        ingress: { verdict: 'allow', trace: [{ tier: 'default', policy: 'NetworkPolicy/shop/db-ingress', ruleIndex: 0, action: 'Allow' }] },
      });
      expect(response.body.ingress.stagedVerdict).toBeUndefined();
    });

    it("names the selecting policy's tier default for a denied connection", async () => {
      for (const [from, port] of [
        ['web/other', 5432],
        ['web/front', 5433],
      ] as const) {
        const response = await api.get(explainPath(clusterId, from, 'shop/db', port), { key: viewerKey });
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({
          verdict: 'deny',
          revision,
          egress: { verdict: 'allow', trace: [] },
          ingress: { verdict: 'deny', trace: [{ tier: 'default', policy: 'NetworkPolicy/shop/db-ingress', ruleIndex: 'default', action: 'Deny' }] },
        });
      }
      // UDP to the TCP port is not the allowed connection either.
      const udp = await api.get(explainPath(clusterId, 'web/front', 'shop/db', 5432, 'UDP'), { key: viewerKey });
      expect(udp.body).toMatchObject({ verdict: 'deny', ingress: { trace: [{ ruleIndex: 'default', action: 'Deny' }] } });
    });

    it('allows a pod talking to itself, which its own policy cannot block, and says so', async () => {
      // shop/db's ingress policy denies everything but web/front; its own connection to itself never crosses its veth.
      const response = await api.get(explainPath(clusterId, 'shop/db', 'shop/db', 9090), { key: viewerKey });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        verdict: 'allow',
        sameEndpoint: true,
        egress: { verdict: 'allow', trace: [] },
        ingress: { verdict: 'allow', trace: [] },
      });
      const other = await api.get(explainPath(clusterId, 'web/other', 'shop/db', 9090), { key: viewerKey });
      expect(other.body.verdict).toBe('deny');
      expect(other.body).not.toHaveProperty('sameEndpoint');
    });

    it('answers 404 naming the query field for a pod the inventory does not have', async () => {
      for (const [from, to, field] of [
        ['web/ghost', 'shop/db', 'query.from'],
        ['web/front', 'shop/ghost', 'query.to'],
      ] as const) {
        const response = await api.get(explainPath(clusterId, from, to), { key: viewerKey });
        expect(response.status).toBe(404);
        expect(response.headers.get('content-type')).toBe('application/problem+json');
        expect(response.body.errors).toEqual([{ path: field, message: expect.stringContaining(field === 'query.from' ? from : to) }]);
      }
    });

    it('refuses malformed queries with the field', async () => {
      const response = await api.get(`/v1/clusters/${clusterId}/explain?from=front&to=shop/db&port=80`, { key: viewerKey });
      expect(response.status).toBe(422);
      expect(response.body.errors[0].path).toBe('query.from');
      expect((await api.get(`/v1/clusters/${clusterId}/explain?from=web/front&to=shop/db&port=0`, { key: viewerKey })).status).toBe(422);
    });

    it("answers 404 for another tenant's cluster, and without a key 401", async () => {
      const other = await signUp(api);
      const response = await api.get(explainPath(clusterId, 'web/front', 'shop/db'), { key: other.key });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.text).not.toContain('db-ingress');
      expect((await api.get(explainPath(clusterId, 'web/front', 'shop/db'))).status).toBe(401);
      // And another tenant's agent cannot overwrite this cluster's inventory: its token binds its own cluster.
      const otherCluster = await createCluster(api, other.key);
      const otherToken = await createAgentToken(api, other.key, otherCluster.id);
      expect((await api.put('/v1/agent/inventory?nodeName=node-x', { key: otherToken, body: { namespaces: [], endpoints: [] } })).status).toBe(200);
      const still = await api.get(explainPath(clusterId, 'web/front', 'shop/db'), { key: viewerKey });
      expect(still.body.inventoryHash).toBe(inventoryHash(inventorySchema.parse(inventory)));
    });

    it('is in the OpenAPI document as explainConnection', async () => {
      const doc = (await api.get('/openapi.json')).body;
      expect(doc.paths['/v1/clusters/{id}/explain'].get.operationId).toBe('explainConnection');
      expect(doc.paths['/v1/agent/inventory'].put.operationId).toBe('reportAgentInventory');
    });
  });
});
