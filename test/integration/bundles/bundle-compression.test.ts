// Bytes on the wire: GET /v1/agent/bundle compresses with br or gzip when Accept-Encoding asks, and
// what the coding carries is the very JWS sent uncompressed: same ETag, same digest, same signature.
// The raw bytes are read with node:http, which (unlike fetch) leaves the coding in place.
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchBundle } from '../../../agent/bundle/client.ts';
import { trustRootOf, verifyBundle } from '../../../policy/bundle/index.ts';
import { type ApiClient, apiClient, createAgentToken, createCluster, createPolicy, networkPolicy, signUp } from '../../support/api-client.ts';
import { waitForRevision } from '../../support/bundles.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function rawGet(url: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/** A policy of many distinct rules, so the bundle is large enough for compression to matter. */
function manyRules(count: number) {
  return networkPolicy('many-rules', 'shop', {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Ingress'],
    ingress: Array.from({ length: count }, (_, i) => ({
      from: [{ ipBlock: { cidr: `10.${(i >> 8) & 255}.${i & 255}.0/24` } }],
      ports: [{ protocol: 'TCP', port: 10_000 + i }],
    })),
  });
}

describe('bundle compression on the wire', () => {
  let control: TestControlPlane;
  let api: ApiClient;
  let token: string;
  let tenantId: string;
  let clusterId: string;
  let revision: number;

  beforeAll(async () => {
    control = await startTestControlPlane('postgres');
    api = apiClient(control.url);
    const signedUp = await signUp(api, 'team');
    tenantId = signedUp.tenantId;
    const cluster = await createCluster(api, signedUp.key);
    clusterId = cluster.id;
    token = await createAgentToken(api, signedUp.key, cluster.id);
    await createPolicy(api, signedUp.key, cluster.id, manyRules(200));
    ({ revision } = await waitForRevision(api, token, 2));
  });
  afterAll(() => control?.stop());

  const bundleUrl = () => `${control.url}/v1/agent/bundle`;
  const verify = (jws: string) =>
    verifyBundle(jws, trustRootOf(control.keyRing, new Date()), { tenantId, clusterId, appliedRevision: 0, now: new Date(), maxBytes: 8 * 1024 * 1024 });

  it('sends br and gzip smaller, carrying the identical signed JWS, ETag and digest', async () => {
    const authorization = `Bearer ${token}`;
    const plain = await rawGet(bundleUrl(), { authorization });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const jws = plain.body.toString('utf8');
    const verified = await verify(jws);
    expect(verified.ok && verified.payload.revision).toBe(revision);

    for (const [coding, decode] of [
      ['br', brotliDecompressSync],
      ['gzip', gunzipSync],
    ] as const) {
      const compressed = await rawGet(bundleUrl(), { authorization, 'accept-encoding': coding });
      expect(compressed.status).toBe(200);
      expect(compressed.headers['content-encoding']).toBe(coding);
      expect(compressed.headers.vary).toContain('Accept-Encoding');
      expect(compressed.headers.etag).toBe(plain.headers.etag);
      expect(compressed.headers['x-palisade-sha256']).toBe(plain.headers['x-palisade-sha256']);
      expect(compressed.body.byteLength).toBeLessThan(plain.body.byteLength);
      expect(Number(compressed.headers['content-length'])).toBe(compressed.body.byteLength);
      const decoded = decode(compressed.body).toString('utf8');
      expect(decoded).toBe(jws);
      const again = await verify(decoded);
      expect(again.ok && again.payload.contentHash).toBe(verified.ok && verified.payload.contentHash);
    }
  });

  it('picks by q-value, refuses a coding given q=0, and keeps If-None-Match answering 304', async () => {
    const authorization = `Bearer ${token}`;
    expect((await rawGet(bundleUrl(), { authorization, 'accept-encoding': 'gzip;q=1, br;q=0.5' })).headers['content-encoding']).toBe('gzip');
    expect((await rawGet(bundleUrl(), { authorization, 'accept-encoding': 'br;q=0, gzip;q=0' })).headers['content-encoding']).toBeUndefined();
    expect((await rawGet(bundleUrl(), { authorization, 'accept-encoding': 'deflate' })).headers['content-encoding']).toBeUndefined();
    const current = await rawGet(bundleUrl(), { authorization, 'accept-encoding': 'br', 'if-none-match': `"r${revision}"` });
    expect(current.status).toBe(304);
    expect(current.body.byteLength).toBe(0);
  });

  it("reaches the agent's client decoded: the JWS it hands on is the one signed", async () => {
    const plain = await rawGet(bundleUrl(), { authorization: `Bearer ${token}` });
    const result = await fetchBundle({ controlPlaneUrl: control.url, token: async () => token, knownRevision: 0, waitSeconds: 0, maxBytes: 8 * 1024 * 1024 });
    expect(result).toEqual({ kind: 'bundle', jws: plain.body.toString('utf8'), bytes: plain.body.byteLength, claimedRevision: revision });
  });
});
