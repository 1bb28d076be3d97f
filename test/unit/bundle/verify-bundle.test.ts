// The bundle acceptance test an agent runs before using a byte: each threat gets its own code.
import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  activeSigningKey,
  BUNDLE_API_VERSION,
  type BundlePayload,
  canonicalJson,
  contentHashOf,
  ISSUED_AT_CLOCK_SKEW_MS,
  newKeyRing,
  signBundle,
  trustRootOf,
  verifyBundle,
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
    [
      "another key under a trusted key's id",
      async () => (await signBundle(payload(), { ...(await activeSigningKey(otherRing)), kid: signer.kid })).jws,
      {},
      'BAD_SIGNATURE',
    ],
    [
      'a header asking for an unencoded payload (b64: false, crit)',
      async () => {
        const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: signer.kid, typ: 'palisade-bundle+jws', b64: false, crit: ['b64'] })).toString(
          'base64url',
        );
        const [, body] = good.split('.');
        const signature = Buffer.from(await webcrypto.subtle.sign('Ed25519', signer.key as CryptoKey, Buffer.from(`${header}.${body}`, 'latin1'))).toString(
          'base64url',
        );
        return `${header}.${body}.${signature}`;
      },
      {},
      'MALFORMED',
    ],
    ['a key id outside the trust root', async () => (await signBundle(payload(), await activeSigningKey(otherRing))).jws, {}, 'UNKNOWN_KEY'],
    ["another cluster's bundle", async () => (await signBundle(payload({ clusterId: tenantId }), signer)).jws, {}, 'WRONG_CLUSTER'],
    ["another tenant's bundle", async () => (await signBundle(payload({ tenantId: clusterId }), signer)).jws, {}, 'WRONG_TENANT'],
    ['an older revision', async () => good, { appliedRevision: 6 }, 'STALE_REVISION'],
    ['the same revision again', async () => good, { appliedRevision: 5 }, 'STALE_REVISION'],
    ['an expired bundle', async () => good, { now: new Date('2026-11-28T00:00:00Z') }, 'EXPIRED'],
    ['an oversize body', async () => good, { maxBytes: 100 }, 'TOO_LARGE'],
    ['something that is not a JWS', async () => 'not.a.jws', {}, 'MALFORMED'],
    [
      'a payload missing its binding fields',
      async () => (await signBundle({ ...payload(), tenantId: undefined } as unknown as BundlePayload, signer)).jws,
      {},
      'INVALID_PAYLOAD',
    ],
  ];
  for (const [name, make, overrides, code] of rejections) {
    it(`rejects ${name} with ${code}`, async () => {
      const result = await verifyBundle(await make(), trustRoot, { ...expect_, ...overrides });
      expect(result).toMatchObject({ ok: false, code });
    });
  }
});

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same bytes, spelled with the unused low bits of the last character set (2 or 4 of them). */
function withUnusedBitsSet(part: string): string {
  const unusedBits = part.length % 4 === 2 ? 4 : 2;
  const last = BASE64URL_ALPHABET.indexOf(part.at(-1) ?? '');
  return part.slice(0, -1) + BASE64URL_ALPHABET[last | ((1 << unusedBits) - 1)];
}

function replacePart(jws: string, index: number, respell: (part: string) => string): string {
  return jws
    .split('.')
    .map((part, i) => (i === index ? respell(part) : part))
    .join('.');
}

describe('verifyBundle refuses every spelling of a bundle but the canonical one', async () => {
  const ring = await newKeyRing(now);
  const trustRoot = trustRootOf(ring, now);
  const signer = await activeSigningKey(ring);
  // A revision whose payload text leaves unused bits in its last character, as the header's and the
  // signature's (64 bytes) always do, so every part has a second spelling of the same bytes; and whose
  // text holds a `-` or `_` somewhere (the signature is random: one in about fifteen has neither).
  const revisions = Array.from({ length: 40 }, (_, i) => i + 5);
  const candidates = await Promise.all(revisions.map(async (revision) => (await signBundle(payload({ revision }), signer)).jws));
  const jws = candidates.find((candidate) => /[-_]/.test(candidate) && candidate.split('.').every((part) => part.length % 4 !== 0)) ?? '';
  const verify = (text: string) => verifyBundle(text, trustRoot, { ...expect_, appliedRevision: 0 });

  it('accepts the canonical text', async () => {
    expect(await verify(jws)).toMatchObject({ ok: true });
  });

  const names = ['header', 'payload', 'signature'];
  for (const [index, name] of names.entries()) {
    it(`refuses the ${name} with its unused low bits set, though it decodes to the same bytes`, async () => {
      const respelled = replacePart(jws, index, withUnusedBitsSet);
      expect(respelled).not.toBe(jws);
      expect(Buffer.from(respelled.split('.')[index] ?? '', 'base64url')).toEqual(Buffer.from(jws.split('.')[index] ?? '', 'base64url'));
      expect(await verify(respelled)).toMatchObject({ ok: false, code: 'NON_CANONICAL_ENCODING', message: expect.stringContaining(name) });
    });

    it(`refuses the ${name} padded with "="`, async () => {
      const padded = replacePart(jws, index, (part) => part + '='.repeat(4 - (part.length % 4)));
      expect(await verify(padded)).toMatchObject({ ok: false, code: 'NON_CANONICAL_ENCODING' });
    });

    it(`refuses the ${name} with a character decoders skip`, async () => {
      expect(await verify(replacePart(jws, index, (part) => `${part.slice(0, 4)} ${part.slice(4)}`))).toMatchObject({
        ok: false,
        code: 'NON_CANONICAL_ENCODING',
      });
    });
  }

  it("refuses standard base64's alphabet (+ and / for - and _)", async () => {
    const index = jws.split('.').findIndex((part) => /[-_]/.test(part));
    expect(index).not.toBe(-1);
    const standard = replacePart(jws, index, (part) => part.replaceAll('-', '+').replaceAll('_', '/'));
    expect(await verify(standard)).toMatchObject({ ok: false, code: 'NON_CANONICAL_ENCODING' });
  });

  it('verifies exactly one of the texts that decode to the signed bytes', async () => {
    const signature = jws.split('.')[2] ?? '';
    const lastCharacters = [...BASE64URL_ALPHABET].map((c) => signature.slice(0, -1) + c);
    const spellings = [...lastCharacters, ...lastCharacters.map((s) => `${s}==`)].map((s) => replacePart(jws, 2, () => s));
    const verified = [];
    for (const spelling of spellings) if ((await verify(spelling)).ok) verified.push(spelling);
    expect(verified).toEqual([jws]);
  });
});

describe('verifyBundle and the issue time', async () => {
  const ring = await newKeyRing(now);
  const trustRoot = trustRootOf(ring, now);
  const signer = await activeSigningKey(ring);
  const issuedIn = async (ms: number) => (await signBundle(payload({ issuedAt: new Date(now.getTime() + ms).toISOString() }), signer)).jws;
  const clock = { ...expect_, refuseIssuedInFuture: true };

  it('refuses a bundle issued an hour ahead of the clock', async () => {
    expect(await verifyBundle(await issuedIn(60 * 60 * 1000), trustRoot, clock)).toMatchObject({ ok: false, code: 'ISSUED_IN_FUTURE' });
    expect(await verifyBundle(await issuedIn(ISSUED_AT_CLOCK_SKEW_MS + 1), trustRoot, clock)).toMatchObject({ ok: false, code: 'ISSUED_IN_FUTURE' });
  });

  it('accepts one issued a minute ahead, or up to the clock-skew allowance', async () => {
    expect(ISSUED_AT_CLOCK_SKEW_MS).toBe(5 * 60 * 1000);
    expect(await verifyBundle(await issuedIn(60 * 1000), trustRoot, clock)).toMatchObject({ ok: true });
    expect(await verifyBundle(await issuedIn(ISSUED_AT_CLOCK_SKEW_MS), trustRoot, clock)).toMatchObject({ ok: true });
  });

  it('leaves the issue time alone when verifying as of another instant, as re-verifying the last good bundle does', async () => {
    expect(await verifyBundle(await issuedIn(60 * 60 * 1000), trustRoot, { ...expect_, now: new Date(0) })).toMatchObject({ ok: true });
  });
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
