// The agent's acceptance test for a bundle (TUF's threat model in small): authentic (a trusted key
// signed it), meant for this tenant and cluster (mix-and-match), newer than what is applied
// (rollback), not expired (freeze), and not oversized (endless data) — checked before any of it is used.
import * as jose from 'jose';
import { BUNDLE_JWS_TYPE, bundlePayloadSchema, type BundlePayload } from './payload.ts';
import type { TrustRoot } from './signing-keys.ts';

export type BundleRejection =
  | 'TOO_LARGE'
  | 'MALFORMED'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'INVALID_PAYLOAD'
  | 'WRONG_TENANT'
  | 'WRONG_CLUSTER'
  | 'STALE_REVISION'
  | 'EXPIRED';

export type VerifyResult = { ok: true; payload: BundlePayload; keyId: string } | { ok: false; code: BundleRejection; message: string };

export interface BundleExpectations {
  tenantId: string;
  clusterId: string;
  /** The revision now enforced; only a strictly higher one is accepted. 0 when none is. */
  appliedRevision: number;
  now: Date;
  maxBytes: number;
}

export async function verifyBundle(jws: string, trustRoot: TrustRoot, expect: BundleExpectations): Promise<VerifyResult> {
  const size = Buffer.byteLength(jws);
  if (size > expect.maxBytes) return reject('TOO_LARGE', `bundle is ${size} bytes, the limit is ${expect.maxBytes}`);

  let header: jose.ProtectedHeaderParameters;
  try {
    header = jose.decodeProtectedHeader(jws);
  } catch {
    return reject('MALFORMED', 'not a compact JWS');
  }
  if (header.alg !== 'EdDSA' || header.typ !== BUNDLE_JWS_TYPE) {
    return reject('MALFORMED', `header must be alg EdDSA, typ ${BUNDLE_JWS_TYPE}`);
  }
  if (!trustRoot.keys.some((key) => key.kid === header.kid)) {
    return reject('UNKNOWN_KEY', `key id ${String(header.kid)} is not in the trust root`);
  }

  let payloadBytes: Uint8Array;
  try {
    const verified = await jose.compactVerify(jws, jose.createLocalJWKSet(trustRoot as unknown as jose.JSONWebKeySet), {
      algorithms: ['EdDSA'],
    });
    payloadBytes = verified.payload;
  } catch {
    return reject('BAD_SIGNATURE', `signature does not verify with key ${String(header.kid)}`);
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch {
    return reject('INVALID_PAYLOAD', 'payload is not UTF-8 JSON');
  }
  const result = bundlePayloadSchema.safeParse(parsed);
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
  if (Date.parse(payload.expiresAt) <= expect.now.getTime()) return reject('EXPIRED', `bundle expired at ${payload.expiresAt}`);
  return { ok: true, payload, keyId: String(header.kid) };
}

function reject(code: BundleRejection, message: string): VerifyResult {
  return { ok: false, code, message };
}
