// The bundle acceptance test an agent runs before using a byte: each threat gets its own code.
import { describe, expect, it } from 'vitest';
import {
  activeSigningKey,
  BUNDLE_API_VERSION,
  canonicalJson,
  contentHashOf,
  newKeyRing,
  signBundle,
  trustRootOf,
  verifyBundle,
  type BundlePayload,
} from '../../../policy/bundle/index.ts';

const tenantId = '0195f0c2-7a3e-7c1a-9d7e-1b2c3d4e5f60';
const clusterId = '0195f0c2-7a3e-7c1a-9d7e-1b2c3d4e5f61';
const now = new Date('2026-11-26T12:00:00Z');

function payload(overrides: Partial<BundlePayload> = {}): BundlePayload {
  const policy = { tiers: [] };
  return {
    apiVersion: BUNDLE_API_VERSION,
    kind: 'Bundle',
    tenantId,
    clusterId,
    revision: 5,
    issuedAt: '2026-11-26T11:00:00.000Z',
    expiresAt: '2026-11-27T11:00:00.000Z',
    contentHash: contentHashOf(policy),
    policy,
    ...overrides,
  };
}

const expect_ = { tenantId, clusterId, appliedRevision: 4, now, maxBytes: 64 * 1024 };

describe('verifyBundle', async () => {
  const ring = await newKeyRing(now);
  const trustRoot = trustRootOf(ring, now);
  const signer = await activeSigningKey(ring);
  const otherRing = await newKeyRing(now);
  const good = (await signBundle(payload(), signer)).jws;

  it('accepts a bundle signed by a trusted key, for this tenant and cluster, newer, unexpired', async () => {
    const result = await verifyBundle(good, trustRoot, expect_);
    expect(result).toMatchObject({ ok: true, keyId: ring.active, payload: { revision: 5 } });
  });

  const rejections: [string, () => Promise<string>, Partial<typeof expect_>, string][] = [
    ['a changed signature byte', async () => good.slice(0, -3) + (good.at(-3) === 'A' ? 'B' : 'A') + good.slice(-2), {}, 'BAD_SIGNATURE'],
    [
      'a changed payload byte',
      async () => {
        const [header, body, signature] = good.split('.');
        const tampered = Buffer.from(Buffer.from(body!, 'base64url').toString().replace('"revision":5', '"revision":9')).toString('base64url');
        return `${header}.${tampered}.${signature}`;
      },
      {},
      'BAD_SIGNATURE',
    ],
    ['a key id outside the trust root', async () => (await signBundle(payload(), await activeSigningKey(otherRing))).jws, {}, 'UNKNOWN_KEY'],
    ["another cluster's bundle", async () => (await signBundle(payload({ clusterId: tenantId }), signer)).jws, {}, 'WRONG_CLUSTER'],
    ["another tenant's bundle", async () => (await signBundle(payload({ tenantId: clusterId }), signer)).jws, {}, 'WRONG_TENANT'],
    ['an older revision', async () => good, { appliedRevision: 6 }, 'STALE_REVISION'],
    ['the same revision again', async () => good, { appliedRevision: 5 }, 'STALE_REVISION'],
    ['an expired bundle', async () => good, { now: new Date('2026-11-28T00:00:00Z') }, 'EXPIRED'],
    ['an oversize body', async () => good, { maxBytes: 100 }, 'TOO_LARGE'],
    ['something that is not a JWS', async () => 'not.a.jws', {}, 'MALFORMED'],
    ['a payload missing its binding fields', async () => (await signBundle({ ...payload(), tenantId: undefined } as unknown as BundlePayload, signer)).jws, {}, 'INVALID_PAYLOAD'],
  ];
  for (const [name, make, overrides, code] of rejections) {
    it(`rejects ${name} with ${code}`, async () => {
      const result = await verifyBundle(await make(), trustRoot, { ...expect_, ...overrides });
      expect(result).toMatchObject({ ok: false, code });
    });
  }
});

describe('canonicalJson', () => {
  it('gives the same text whatever the key order, with no whitespace', () => {
    expect(canonicalJson({ b: [2, { y: 1, x: 'é' }], a: null })).toBe('{"a":null,"b":[2,{"x":"é","y":1}]}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
  });
  it('refuses values JSON cannot carry faithfully', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
  });
});
