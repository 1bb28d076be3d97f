// The agent's acceptance test for a bundle (TUF's threat model in small): authentic (a trusted key
// signed it), meant for this tenant and cluster (mix-and-match), newer than what is applied
// (rollback), not expired and not issued ahead of the clock (freeze), and not oversized (endless
// data) — checked before any of it is used. A bundle has one spelling: base64url decoders ignore
// padding and the unused low bits of the last character, so without the canonical check one signed
// bundle verifies under many texts and its SHA-256 names none of them.
// jose's entry point for what this file uses, not its index: the index loads all of JWE, JWT and
// key generation too, on the agent's way from start to its first apply. The signature itself is
// node:crypto's (jws-signature.ts).
import { decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose/decode/protected_header';
import { parseWithFastAccept } from '../validation/fast-accept.ts';
import { signedByOneOf } from './jws-signature.ts';
import { BUNDLE_JWS_TYPE, type BundlePayload, bundlePayloadSchema } from './payload.ts';
import type { TrustRoot } from './signing-keys.ts';

export type BundleRejection =
  | 'TOO_LARGE'
  | 'MALFORMED'
  | 'NON_CANONICAL_ENCODING'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'INVALID_PAYLOAD'
  | 'WRONG_TENANT'
  | 'WRONG_CLUSTER'
  | 'STALE_REVISION'
  | 'ISSUED_IN_FUTURE'
  | 'EXPIRED';

/**
 * How far ahead of the verifier's clock a bundle's issuedAt may be. The signer's and the node's clocks
 * are apart by the sum of their errors: NTP keeps that to seconds, minutes for a node still syncing
 * after boot. Further ahead, the signer's clock is wrong or the bundle was signed in advance to be
 * served later, which would stretch its validity past the lifetime the expiry promises.
 */
export const ISSUED_AT_CLOCK_SKEW_MS = 5 * 60 * 1000;

export type VerifyResult = { ok: true; payload: BundlePayload; keyId: string } | { ok: false; code: BundleRejection; message: string };

export interface BundleExpectations {
  tenantId: string;
  clusterId: string;
  /** The revision now enforced; only a strictly higher one is accepted. 0 when none is. */
  appliedRevision: number;
  /** The verifier's clock: a bundle that expired at or before it is refused. */
  now: Date;
  /**
   * Whether `now` is the verifier's real clock, so a bundle issued more than ISSUED_AT_CLOCK_SKEW_MS
   * after it is refused too. Left out only when verifying "as of" another instant (the agent re-verifies
   * its last good bundle as of the epoch to skip expiry, where every bundle looks issued in the future).
   */
  refuseIssuedInFuture?: boolean;
  maxBytes: number;
}

const JWS_PARTS = ['header', 'payload', 'signature'] as const;

/** The payload schema's parse, with a fast yes for a valid bundle (../validation/fast-accept.ts says why). */
const parsePayload = parseWithFastAccept(bundlePayloadSchema);

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * A compact JWS part in the one spelling base64url allows (RFC 7515 section 2: no padding, the URL
 * alphabet only, and, as decoding then implies, zero unused bits). Node's decoder is lenient on all
 * three, so each is checked here: URL-alphabet characters only, a length that is not one more than a
 * multiple of four (such a last character carries no whole byte), and the bits of the last character
 * beyond the last whole byte (4 bits after 2 characters of a group, 2 after 3) zero. That is exactly
 * the text that decoding and encoding again gives back unchanged, without decoding a bundle's
 * megabytes once more to compare.
 */
function isCanonicalBase64url(part: string): boolean {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return false;
  const tail = part.length % 4;
  if (tail === 0) return true;
  if (tail === 1) return false;
  const last = BASE64URL_ALPHABET.indexOf(part[part.length - 1]!);
  return (last & (tail === 2 ? 0x0f : 0x03)) === 0;
}

export async function verifyBundle(jws: string, trustRoot: TrustRoot, expect: BundleExpectations): Promise<VerifyResult> {
  const size = Buffer.byteLength(jws);
  if (size > expect.maxBytes) return reject('TOO_LARGE', `bundle is ${size} bytes, the limit is ${expect.maxBytes}`);

  const parts = jws.split('.');
  const header = parts.length === JWS_PARTS.length ? decodeHeader(jws) : undefined;
  if (!header) return reject('MALFORMED', 'not a compact JWS');
  const nonCanonical = JWS_PARTS.find((_, i) => !isCanonicalBase64url(parts[i] ?? ''));
  if (nonCanonical) {
    return reject(
      'NON_CANONICAL_ENCODING',
      `the ${nonCanonical} is not canonical base64url (padding, a character outside the URL alphabet, or unused bits set)`,
    );
  }
  if (header.alg !== 'EdDSA' || header.typ !== BUNDLE_JWS_TYPE) {
    return reject('MALFORMED', `header must be alg EdDSA, typ ${BUNDLE_JWS_TYPE}`);
  }
  const keys = trustRoot.keys.filter((key) => key.kid === header.kid);
  if (keys.length === 0) {
    return reject('UNKNOWN_KEY', `key id ${String(header.kid)} is not in the trust root`);
  }
  // No extension this verifier does not know may change what the signature covers (RFC 7515 4.1.11;
  // b64: false would sign the payload unencoded): the control plane never sets one.
  if (header.crit !== undefined || header.b64 !== undefined) return reject('MALFORMED', 'header must not carry crit or b64');
  if (!signedByOneOf(jws, keys)) return reject('BAD_SIGNATURE', `signature does not verify with key ${String(header.kid)}`);
  const payloadBytes = Buffer.from(parts[1]!, 'base64url');

  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch {
    return reject('INVALID_PAYLOAD', 'payload is not UTF-8 JSON');
  }
  const result = parsePayload(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    return reject('INVALID_PAYLOAD', `payload ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const payload = result.data;
  if (payload.tenantId !== expect.tenantId) return reject('WRONG_TENANT', `bundle is for tenant ${payload.tenantId}`);
  if (payload.clusterId !== expect.clusterId) return reject('WRONG_CLUSTER', `bundle is for cluster ${payload.clusterId}`);
  if (payload.revision <= expect.appliedRevision) {
    return reject('STALE_REVISION', `revision ${payload.revision} is not newer than applied ${expect.appliedRevision}`);
  }
  if (expect.refuseIssuedInFuture && Date.parse(payload.issuedAt) > expect.now.getTime() + ISSUED_AT_CLOCK_SKEW_MS) {
    return reject(
      'ISSUED_IN_FUTURE',
      `bundle says it was issued at ${payload.issuedAt}, more than ${ISSUED_AT_CLOCK_SKEW_MS / 60_000} minutes ahead of this clock (${expect.now.toISOString()})`,
    );
  }
  if (Date.parse(payload.expiresAt) <= expect.now.getTime()) return reject('EXPIRED', `bundle expired at ${payload.expiresAt}`);
  return { ok: true, payload, keyId: String(header.kid) };
}

/** The protected header, or undefined when the text is not a JWS (jose says why by throwing). */
function decodeHeader(jws: string): ProtectedHeaderParameters | undefined {
  try {
    return decodeProtectedHeader(jws);
  } catch {
    return undefined;
  }
}

function reject(code: BundleRejection, message: string): VerifyResult {
  return { ok: false, code, message };
}
