// Signing a bundle: its payload in canonical JSON, as a compact JWS (RFC 7515 section 7.1) signed
// with Ed25519. The JWS is put together here, with the runtime's native base64url: at 1.6 MB of
// policy, a JWS library's encoding of the payload was a fifth of a build's CPU (issue 10). Ed25519 is
// deterministic, so the text is byte for byte what jose's CompactSign gives for the same key and
// payload (test/unit/bundle/sign-bundle.test.ts), and agents verify it with jose as before.
import { createHash, KeyObject, sign, webcrypto } from 'node:crypto';
import { canonicalJson, canonicalObject } from './canonical-json.ts';
import { BUNDLE_JWS_TYPE, type BundlePayload } from './payload.ts';
import type { SigningKey } from './signing-keys.ts';

export interface SignedBundle {
  /** Compact JWS: base64url(header).base64url(canonical payload).base64url(signature). */
  jws: string;
  /** SHA-256 (hex) of the JWS text as served: what an agent can compare byte for byte. */
  sha256: string;
  size: number;
}

/**
 * A policy set encoded once: its canonical JSON and the content hash of those bytes. The builder
 * hashes it to see whether anything changed and signs the same text, instead of encoding megabytes
 * twice.
 */
export interface EncodedPolicy {
  json: string;
  contentHash: string;
}

export function encodePolicy(policy: BundlePayload['policy']): EncodedPolicy {
  const json = canonicalJson(policy);
  return { json, contentHash: sha256Hex(json) };
}

/** The hash that says whether two policy sets enforce the same thing. */
export function contentHashOf(policy: BundlePayload['policy']): string {
  return encodePolicy(policy).contentHash;
}

/** `policyJson`: the payload's policy set in canonical JSON, when the caller encoded it already (encodePolicy). */
export async function signBundle(payload: BundlePayload, signingKey: SigningKey, policyJson?: string): Promise<SignedBundle> {
  const header = base64url(JSON.stringify({ alg: 'EdDSA', kid: signingKey.kid, typ: BUNDLE_JWS_TYPE }));
  const signingInput = `${header}.${base64url(canonicalPayload(payload, policyJson))}`;
  const signature = await signatureOf(cryptoKeyOf(signingKey), Buffer.from(signingInput, 'latin1'));
  const jws = `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
  return { jws, sha256: sha256Hex(jws), size: Buffer.byteLength(jws) };
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The payload's canonical JSON, its policy member taken as given when the caller encoded it: the
 * canonical form of an object one level deep (members sorted by code unit), each member's value
 * encoded on its own.
 */
function canonicalPayload(payload: BundlePayload, policyJson: string | undefined): string {
  if (policyJson === undefined) return canonicalJson(payload);
  return canonicalObject(payload as unknown as Record<string, unknown>, (value, key) => (key === 'policy' ? policyJson : canonicalJson(value)));
}

/**
 * Inputs up to this size are signed on the calling thread: WebCrypto hands every signature to the
 * thread pool and back, two thread wakeups that cost a one-policy build more than the signature itself
 * (about 0.1 ms). Larger inputs (Ed25519 hashes the whole input, twice) go to the pool.
 */
const SIGN_INLINE_BYTES = 64 * 1024;

/** The same key as a KeyObject, for node:crypto's synchronous sign; made once per key. */
const keyObjects = new WeakMap<webcrypto.CryptoKey, KeyObject>();

async function signatureOf(key: webcrypto.CryptoKey, input: Buffer): Promise<Uint8Array> {
  if (input.length > SIGN_INLINE_BYTES) return new Uint8Array(await webcrypto.subtle.sign('Ed25519', key, input));
  let keyObject = keyObjects.get(key);
  if (!keyObject) {
    keyObject = KeyObject.from(key);
    keyObjects.set(key, keyObject);
  }
  // Ed25519 takes no digest name: it hashes the input itself.
  return sign(null, input, keyObject);
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function cryptoKeyOf(signingKey: SigningKey): webcrypto.CryptoKey {
  if (signingKey.key instanceof Uint8Array) throw new TypeError('an Ed25519 signing key is a CryptoKey, not raw bytes');
  return signingKey.key as webcrypto.CryptoKey;
}
