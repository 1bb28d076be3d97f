// A compact JWS's EdDSA signature checked with node:crypto, for the agent's acceptance test
// (verify.ts). jose's compactVerify did this through WebCrypto: on the agent's way from start to
// its first apply that loaded Node's WebCrypto modules and imported the key through subtle (~40 ms
// of a 10,000-rule bundle's ~120 ms re-verification in a fresh process), for one signature.
// verify.ts has checked the header (alg EdDSA, the bundle typ, a trusted kid) and the canonical
// base64url spelling of every part before this runs.
import { createPublicKey, verify } from 'node:crypto';
import type { TrustRootKey } from './signing-keys.ts';

/**
 * Whether one of `keys` (the trust root's keys with the header's kid) signed the JWS's signing input,
 * its text up to the second dot (RFC 7515 section 5.2). EdDSA over Ed25519 keys only, as the trust
 * root holds them; a key node cannot import verifies nothing.
 */
export function signedByOneOf(jws: string, keys: readonly TrustRootKey[]): boolean {
  const secondDot = jws.lastIndexOf('.');
  const signingInput = Buffer.from(jws.slice(0, secondDot), 'latin1');
  const signature = Buffer.from(jws.slice(secondDot + 1), 'base64url');
  return keys.some((key) => {
    if (key.kty !== 'OKP' || key.crv !== 'Ed25519') return false;
    try {
      const publicKey = createPublicKey({ key: { kty: key.kty, crv: key.crv, x: key.x }, format: 'jwk' });
      return verify(null, signingInput, publicKey, signature);
    } catch {
      return false;
    }
  });
}
