// Signing as the builder does it (policy/bundle/sign.ts): the compact JWS it puts together is the
// one a JWS library gives for the same key and payload, whether the policy set was encoded by the
// caller first or not; and canonical JSON is the same text as the member-by-member definition, for
// any JSON value (keys that read as array indices and __proto__ included).
import fc from 'fast-check';
import * as jose from 'jose';
import { describe, expect, it } from 'vitest';
import {
  activeSigningKey,
  BUNDLE_API_VERSION,
  BUNDLE_JWS_TYPE,
  type BundlePayload,
  canonicalJson,
  encodePolicy,
  newKeyRing,
  signBundle,
  trustRootOf,
  verifyBundle,
} from '../../../policy/bundle/index.ts';
import type { PolicySet } from '../../../policy/ir.ts';
import { policySetFromObjects } from '../../../policy/policy-set-from-objects.ts';

const tenantId = '0195f0c2-7a3e-7c1a-9d7e-1b2c3d4e5f60';
const clusterId = '0195f0c2-7a3e-7c1a-9d7e-1b2c3d4e5f61';
const now = new Date('2026-11-26T12:00:00Z');

/** A real policy set, its labels keyed as array indices would be too (the keys JSON.stringify reorders). */
const policy: PolicySet = policySetFromObjects([
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      podSelector: { matchLabels: { app: 'web', '10': 'ten', '9': 'nine' } },
      ingress: [{ from: [{ ipBlock: { cidr: '198.18.0.0/24' } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    },
  },
]);

function payloadOf(policySet: PolicySet): BundlePayload {
  return {
    apiVersion: BUNDLE_API_VERSION,
    kind: 'Bundle',
    tenantId,
    clusterId,
    revision: 7,
    issuedAt: '2026-11-26T11:00:00.000Z',
    expiresAt: '2026-11-27T11:00:00.000Z',
    contentHash: encodePolicy(policySet).contentHash,
    policy: policySet,
  };
}

/** Canonical JSON as its definition reads: every object's members sorted by code unit, one by one. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${reference(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('signBundle', async () => {
  const ring = await newKeyRing(now);
  const key = await activeSigningKey(ring);

  it("gives jose's compact JWS for the same key and payload, with the policy encoded first or not", async () => {
    const payload = payloadOf(policy);
    const byJose = await new jose.CompactSign(new TextEncoder().encode(canonicalJson(payload)))
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: BUNDLE_JWS_TYPE })
      .sign(key.key);
    const signed = await signBundle(payload, key);
    expect(signed.jws).toBe(byJose);
    expect((await signBundle(payload, key, encodePolicy(policy).json)).jws).toBe(byJose);
    expect(signed.size).toBe(Buffer.byteLength(byJose));
  });

  it("gives jose's JWS for a bundle too large to sign inline (signed on the thread pool)", async () => {
    const large = policySetFromObjects([
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'web', namespace: 'shop' },
        spec: {
          podSelector: { matchLabels: { app: 'web' } },
          ingress: Array.from({ length: 2_000 }, (_, index) => ({
            from: [{ ipBlock: { cidr: `10.${index >> 8}.${index & 255}.0/24` } }],
            ports: [{ protocol: 'TCP', port: 1000 + index }],
          })),
        },
      },
    ]);
    const payload = payloadOf(large);
    const byJose = await new jose.CompactSign(new TextEncoder().encode(canonicalJson(payload)))
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: BUNDLE_JWS_TYPE })
      .sign(key.key);
    expect(byJose.length).toBeGreaterThan(64 * 1024);
    expect((await signBundle(payload, key)).jws).toBe(byJose);
  });

  it('signs what an agent accepts', async () => {
    const { jws } = await signBundle(payloadOf(policy), key, encodePolicy(policy).json);
    const verdict = await verifyBundle(jws, trustRootOf(ring, now), { tenantId, clusterId, appliedRevision: 6, now, maxBytes: 64 * 1024 });
    expect(verdict).toMatchObject({ ok: true, payload: { revision: 7, policy } });
  });
});

describe('canonicalJson against its definition', () => {
  it('orders keys by code unit, index-like keys and __proto__ too', () => {
    expect(canonicalJson({ b: 1, '9': 2, '10': 3, a: { '1': [], '0': null } })).toBe('{"10":3,"9":2,"a":{"0":null,"1":[]},"b":1}');
    expect(canonicalJson(JSON.parse('{"z":1,"__proto__":{"x":2}}'))).toBe('{"__proto__":{"x":2},"z":1}');
  });

  it('is the member-by-member text for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses what JSON cannot carry, wherever it is', () => {
    expect(() => canonicalJson(undefined)).toThrow(/undefined/);
    expect(() => canonicalJson([1, undefined])).toThrow(/undefined/);
    expect(() => canonicalJson({ a: [{ b: Number.POSITIVE_INFINITY }] })).toThrow(/non-finite/);
    expect(() => canonicalJson({ a: () => 1 })).toThrow(/function/);
    expect(() => canonicalJson({ '1': { a: Symbol('s') } })).toThrow(/symbol/);
  });
});
