// Ed25519 signing keys and the public trust root (a JWKS) that agents are installed with.
import { randomBytes } from 'node:crypto';
import * as jose from 'jose';
import { z } from 'zod';

const publicJwkSchema = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string() });
const privateJwkSchema = publicJwkSchema.extend({ d: z.string() });

export const storedSigningKeySchema = z.strictObject({
  kid: z.string().min(1),
  privateJwk: privateJwkSchema,
  createdAt: z.iso.datetime(),
  /** After this instant the key is dropped from the trust root; until then old bundles stay verifiable. */
  retiresAt: z.iso.datetime().nullable(),
});
export type StoredSigningKey = z.infer<typeof storedSigningKeySchema>;

export const keyRingSchema = z.strictObject({
  active: z.string(),
  keys: z.array(storedSigningKeySchema).min(1),
});
export type KeyRing = z.infer<typeof keyRingSchema>;

export interface TrustRootKey {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}
export interface TrustRoot {
  keys: TrustRootKey[];
}

export async function generateSigningKey(now: Date): Promise<StoredSigningKey> {
  const { privateKey } = await jose.generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = privateJwkSchema.parse(await jose.exportJWK(privateKey));
  const kid = `palisade-${now.toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;
  return { kid, privateJwk: jwk, createdAt: now.toISOString(), retiresAt: null };
}

/** A ring holding one fresh key, as the embedded default makes on first start. */
export async function newKeyRing(now: Date): Promise<KeyRing> {
  const key = await generateSigningKey(now);
  return { active: key.kid, keys: [key] };
}

/**
 * Rotation: the new key signs from now on; the old active key stays in the trust root for `overlapMs`
 * (at least the bundle lifetime) so bundles it signed keep verifying until they expire anyway.
 */
export async function rotateKeyRing(ring: KeyRing, now: Date, overlapMs: number): Promise<KeyRing> {
  const next = await generateSigningKey(now);
  const retiresAt = new Date(now.getTime() + overlapMs).toISOString();
  const keys = ring.keys.filter((key) => !isRetired(key, now)).map((key) => (key.kid === ring.active ? { ...key, retiresAt } : key));
  return { active: next.kid, keys: [...keys, next] };
}

function isRetired(key: StoredSigningKey, now: Date): boolean {
  return key.retiresAt !== null && Date.parse(key.retiresAt) <= now.getTime();
}

export function trustRootOf(ring: KeyRing, now: Date): TrustRoot {
  return {
    keys: ring.keys
      .filter((key) => !isRetired(key, now))
      .map(({ kid, privateJwk }) => ({ kty: 'OKP', crv: 'Ed25519', x: privateJwk.x, kid, alg: 'EdDSA', use: 'sig' })),
  };
}

export interface SigningKey {
  kid: string;
  key: CryptoKey | Uint8Array;
}

/**
 * The imported active key of each ring seen: a ring is replaced whole on rotation, never changed in
 * place, and importing the JWK was a sixth of a one-policy build's CPU.
 */
const importedActiveKeys = new WeakMap<KeyRing, Promise<SigningKey>>();

export function activeSigningKey(ring: KeyRing): Promise<SigningKey> {
  let imported = importedActiveKeys.get(ring);
  if (!imported) {
    imported = importActiveKey(ring);
    importedActiveKeys.set(ring, imported);
    // A failed import is not remembered: the next build tries again.
    imported.catch(() => importedActiveKeys.delete(ring));
  }
  return imported;
}

async function importActiveKey(ring: KeyRing): Promise<SigningKey> {
  const stored = ring.keys.find((key) => key.kid === ring.active);
  if (!stored) throw new Error(`key ring names active key ${ring.active}, which it does not hold`);
  const key = (await jose.importJWK({ ...stored.privateJwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey;
  return { kid: stored.kid, key };
}
