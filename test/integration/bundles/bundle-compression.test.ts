// Bytes on the wire: GET /v1/agent/bundle compresses with br or gzip when Accept-Encoding asks, and
// what the coding carries is the very JWS sent uncompressed: same ETag, same digest, same signature.
// The raw bytes are read with node:http, which (unlike fetch) leaves the coding in place.
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchBundle } from '../../../agent/bundle/client.ts';
import { trustRootOf, verifyBundle } from '../../../policy/bundle/index.ts';
import { type ApiClient, apiClient, createAgentToken, createCluster, createPolicy, networkPolicy, signUp, unique } from '../../support/api-client.ts';
import { revisionCarrying, waitForRevision } from '../../support/bundles.ts';
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
  let ownerKey: string;

  beforeAll(async () => {
    control = await startTestControlPlane('postgres');
    api = apiClient(control.url);
    const signedUp = await signUp(api, 'team');
    tenantId = signedUp.tenantId;
    ownerKey = signedUp.key;
    const cluster = await createCluster(api, signedUp.key);
    clusterId = cluster.id;
    token = await createAgentToken(api, signedUp.key, cluster.id);
    const written = await createPolicy(api, signedUp.key, cluster.id, manyRules(200));
    ({ revision } = await revisionCarrying(api, token, (written.manifest.metadata as { name: string }).name));
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

  it('sends a delta against the revision the agent holds, which the agent rebuilds into the signed JWS', async () => {
    const authorization = `Bearer ${token}`;
    const base = (await rawGet(bundleUrl(), { authorization })).body.toString('utf8');
    const baseRevision = revision;
    await createPolicy(api, ownerKey, clusterId, networkPolicy(unique('np'), 'shop'));
    const next = await waitForRevision(api, token, baseRevision + 1);
    revision = next.revision;

    const full = await rawGet(bundleUrl(), { authorization, 'accept-encoding': 'br', 'if-none-match': `"r${baseRevision}"` });
    const delta = await rawGet(bundleUrl(), { authorization, 'accept-encoding': 'br', 'if-none-match': `"r${baseRevision}"`, 'a-im': 'palisade-delta' });
    expect(delta.status).toBe(226);
    expect(delta.headers.im).toBe('palisade-delta');
    expect(delta.headers.etag).toBe(`"r${next.revision}"`);
    expect(delta.body.byteLength).toBeLessThan(full.body.byteLength / 2);

    const maxBytes = 8 * 1024 * 1024;
    const statuses: number[] = [];
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      statuses.push(response.status);
      return response;
    };
    const viaDelta = await fetchBundle({
      controlPlaneUrl: control.url,
      token: async () => token,
      knownRevision: baseRevision,
      base: { revision: baseRevision, jws: base },
      waitSeconds: 0,
      maxBytes,
      fetch: recording,
    });
    expect(statuses.splice(0)).toEqual([226]);
    expect(viaDelta).toEqual({ kind: 'bundle', jws: next.jws, bytes: Buffer.byteLength(next.jws), claimedRevision: next.revision });
    const verified = await verify(next.jws);
    expect(verified.ok).toBe(true);

    // A base that is not what the agent claims to hold rebuilds to a payload whose content hash fails:
    // the client falls back to the full bundle, which is the signed one all the same.
    const [header, payload, signature] = base.split('.');
    const wrongBase = `${header}.${Buffer.from(Buffer.from(payload!, 'base64url').toString('utf8').replace('"shop"', '"shoq"')).toString('base64url')}.${signature}`;
    const fellBack = await fetchBundle({
      controlPlaneUrl: control.url,
      token: async () => token,
      knownRevision: baseRevision,
      base: { revision: baseRevision, jws: wrongBase },
      waitSeconds: 0,
      maxBytes,
      fetch: recording,
    });
    expect(statuses).toEqual([226, 200]);
    expect(fellBack).toEqual(viaDelta);
  });
});
