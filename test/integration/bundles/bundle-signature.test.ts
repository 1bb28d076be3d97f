// What an agent receives verifies with the published trust root using nothing but `jose`; any changed
// byte breaks it; revisions only grow; another cluster's token never sees this cluster's bundle.
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, createAgentToken, createCluster, createPolicy, networkPolicy, signUp } from '../../support/api-client.ts';
import { revisionCarrying, waitForRevision } from '../../support/bundles.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

describe('signed bundles', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let key: string;
  let tenantId: string;

  beforeAll(async () => {
    control = await startTestControlPlane('postgres');
    api = apiClient(control.url);
    ({ key, tenantId } = await signUp(api, 'team'));
  });
  afterAll(() => control?.stop());

  async function verifyWithTrustRoot(jws: string) {
    const trustRoot = (await api.get('/v1/trust-root')).body;
    return jose.compactVerify(jws, jose.createLocalJWKSet(trustRoot));
  }

  it('verifies with the published trust root, and fails when any byte changes', async () => {
    const cluster = await createCluster(api, key);
    const token = await createAgentToken(api, key, cluster.id);
    await createPolicy(api, key, cluster.id, networkPolicy('deny-all', 'shop'));
    const bundle = await revisionCarrying(api, token, 'deny-all');

    const { payload, protectedHeader } = await verifyWithTrustRoot(bundle.jws);
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: control.keyRing.active });
    const claims = JSON.parse(new TextDecoder().decode(payload));
    expect(claims).toMatchObject({ tenantId, clusterId: cluster.id, revision: 2 });
    expect(Date.parse(claims.expiresAt)).toBeGreaterThan(Date.parse(claims.issuedAt));
    expect(claims.policy.tiers[0].policies[0].id).toBe('NetworkPolicy/shop/deny-all');

    // Flip one bit in every position (header, payload, signature): each must fail verification.
    const step = Math.max(1, Math.floor(bundle.jws.length / 64));
    for (let index = 0; index < bundle.jws.length; index += step) {
      const character = bundle.jws[index]!;
      if (character === '.') continue;
      const replacement = character === 'A' ? 'B' : 'A';
      const tampered = bundle.jws.slice(0, index) + replacement + bundle.jws.slice(index + 1);
      await expect(verifyWithTrustRoot(tampered), `byte ${index}`).rejects.toThrow();
    }
  });

  it('only ever issues higher revisions, and issues none when nothing changed', async () => {
    const cluster = await createCluster(api, key);
    const token = await createAgentToken(api, key, cluster.id);
    const first = await waitForRevision(api, token, 1);
    const policy = await createPolicy(api, key, cluster.id);
    const second = await waitForRevision(api, token, 2);
    await api.delete(`/v1/policies/${policy.id}`, { key });
    const third = await waitForRevision(api, token, 3);
    expect([first.revision, second.revision, third.revision]).toEqual([1, 2, 3]);

    const listed = await api.get(`/v1/clusters/${cluster.id}/bundles`, { key });
    const revisions = listed.body.items.map((item: { revision: number }) => item.revision);
    expect(revisions).toEqual([...revisions].sort((x: number, y: number) => x - y));
    // Revision 3 has the same (empty) policy as revision 1, and is still a new revision with its own hash.
    expect(listed.body.items[2].contentHash).toBe(listed.body.items[0].contentHash);
    expect(listed.body.items[2].sha256).not.toBe(listed.body.items[0].sha256);

    // Re-applying an identical policy body changes the version but not the content: no new bundle.
    const again = await createPolicy(api, key, cluster.id, networkPolicy('same', 'shop'));
    await waitForRevision(api, token, 4);
    const read = await api.get(`/v1/policies/${again.id}`, { key });
    await api.put(`/v1/policies/${again.id}`, { key, body: read.body.manifest });
    await control.plane.relay.drain();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await api.get(`/v1/clusters/${cluster.id}/bundles`, { key });
    expect(after.body.items.at(-1).revision).toBe(4);
  });

  it("gives a second cluster's agent token its own cluster's bundle, never this one's", async () => {
    const mine = await createCluster(api, key);
    const other = await createCluster(api, key);
    await createAgentToken(api, key, mine.id);
    const otherToken = await createAgentToken(api, key, other.id);
    await createPolicy(api, key, mine.id, networkPolicy('only-in-mine', 'shop'));
    const received = await waitForRevision(api, otherToken, 1);
    const claims = JSON.parse(new TextDecoder().decode((await verifyWithTrustRoot(received.jws)).payload));
    expect(claims.clusterId).toBe(other.id);
    expect(received.jws).not.toContain('only-in-mine');
    expect(JSON.stringify(claims)).not.toContain('only-in-mine');
  });

  it('refuses a revoked agent token and the token of a deleted cluster', async () => {
    const cluster = await createCluster(api, key);
    const revoked = await createAgentToken(api, key, cluster.id);
    const tokenId = (await api.get(`/v1/clusters/${cluster.id}/agent-tokens`, { key })).body.items[0].id;
    expect((await api.delete(`/v1/clusters/${cluster.id}/agent-tokens/${tokenId}`, { key })).status).toBe(204);
    expect((await api.get('/v1/agent/bundle', { key: revoked })).status).toBe(401);

    const token = await createAgentToken(api, key, cluster.id);
    expect((await api.get('/v1/agent/bundle', { key: token })).status).toBe(200);
    await api.delete(`/v1/clusters/${cluster.id}`, { key });
    expect((await api.get('/v1/agent/bundle', { key: token })).status).toBe(401);
  });
});
