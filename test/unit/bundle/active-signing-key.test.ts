// The builder signs with the ring's active key, imported once per ring (policy/bundle/signing-keys.ts):
// a rotation hands the builder a new ring, and the bundles it signs from then on name and verify with
// the new key, never the old one it imported before.
import { describe, expect, it } from 'vitest';
import {
  activeSigningKey,
  BUNDLE_API_VERSION,
  type BundlePayload,
  encodePolicy,
  newKeyRing,
  rotateKeyRing,
  signBundle,
  trustRootOf,
  verifyBundle,
} from '../../../policy/bundle/index.ts';
import { policySetFromObjects } from '../../../policy/policy-set-from-objects.ts';

const tenantId = '0195f0c2-7a3e-7c1a-9d7e-1b2c3d4e5f60';
const clusterId = '0195f0c2-7a3e-7c1a-9d7e-1b2c3d4e5f61';
const now = new Date('2026-11-26T12:00:00Z');

const payload: BundlePayload = {
  apiVersion: BUNDLE_API_VERSION,
  kind: 'Bundle',
  tenantId,
  clusterId,
  revision: 1,
  issuedAt: now.toISOString(),
  expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
  contentHash: encodePolicy(policySetFromObjects([])).contentHash,
  policy: policySetFromObjects([]),
};

describe('the active signing key', () => {
  it('is imported once per ring, and a rotated ring signs with its new key', async () => {
    const ring = await newKeyRing(now);
    const first = await activeSigningKey(ring);
    expect(await activeSigningKey(ring)).toBe(first);

    const rotated = await rotateKeyRing(ring, now, 3_600_000);
    const next = await activeSigningKey(rotated);
    expect(next.kid).toBe(rotated.active);
    expect(next.kid).not.toBe(first.kid);
    const signed = await signBundle(payload, next);
    expect(JSON.parse(Buffer.from(signed.jws.split('.')[0]!, 'base64url').toString())).toMatchObject({ kid: rotated.active });
    const verified = await verifyBundle(signed.jws, trustRootOf(rotated, now), { tenantId, clusterId, appliedRevision: 0, now, maxBytes: 64 * 1024 });
    expect(verified.ok).toBe(true);
  });

  it('is refused, and tried again, when the ring does not hold it', async () => {
    const ring = await newKeyRing(now);
    const broken = { ...ring, active: 'missing' };
    await expect(activeSigningKey(broken)).rejects.toThrow(/does not hold/);
    await expect(activeSigningKey(broken)).rejects.toThrow(/does not hold/);
  });
});
