// Signing a bundle: its payload in canonical JSON, as a compact JWS (RFC 7515 section 7.1) signed
// with Ed25519. The JWS is put together here, with the runtime's native base64url: at 1.6 MB of
// policy, a JWS library's encoding of the payload was a fifth of a build's CPU (issue 10). Ed25519 is
// deterministic, so the text is byte for byte what jose's CompactSign gives for the same key and
// payload (test/unit/bundle/sign-bundle.test.ts), and agents verify it with jose as before.
import { createHash, webcrypto } from 'node:crypto';
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
  const signature = await webcrypto.subtle.sign('Ed25519', cryptoKeyOf(signingKey), Buffer.from(signingInput, 'latin1'));
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

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function cryptoKeyOf(signingKey: SigningKey): webcrypto.CryptoKey {
  if (signingKey.key instanceof Uint8Array) throw new TypeError('an Ed25519 signing key is a CryptoKey, not raw bytes');
  return signingKey.key as webcrypto.CryptoKey;
}
