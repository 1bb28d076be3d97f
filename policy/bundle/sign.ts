import { createHash } from 'node:crypto';
import * as jose from 'jose';
import { canonicalJson } from './canonical-json.ts';
import { BUNDLE_JWS_TYPE, type BundlePayload } from './payload.ts';
import type { SigningKey } from './signing-keys.ts';

export interface SignedBundle {
  /** Compact JWS: base64url(header).base64url(canonical payload).base64url(signature). */
  jws: string;
  /** SHA-256 (hex) of the JWS text as served: what an agent can compare byte for byte. */
  sha256: string;
  size: number;
}

export async function signBundle(payload: BundlePayload, signingKey: SigningKey): Promise<SignedBundle> {
  const bytes = new TextEncoder().encode(canonicalJson(payload));
  const jws = await new jose.CompactSign(bytes).setProtectedHeader({ alg: 'EdDSA', kid: signingKey.kid, typ: BUNDLE_JWS_TYPE }).sign(signingKey.key);
  return { jws, sha256: sha256Hex(jws), size: Buffer.byteLength(jws) };
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The hash that says whether two policy sets enforce the same thing. */
export function contentHashOf(policy: BundlePayload['policy']): string {
  return sha256Hex(canonicalJson(policy));
}
