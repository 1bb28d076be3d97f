// The secrets callers present: minted here, stored only as their hash, and looked up by that hash.
import { hash, randomBytes } from 'node:crypto';

/**
 * `pal_` API keys, `pag_` agent tokens, `pse_` session cookies and `pin_` invite tokens: 192 random
 * bits, base64url; the prefix tells them apart in logs.
 */
export type CredentialKind = 'pal' | 'pag' | 'pse' | 'pin';

export interface MintedCredential {
  /** Shown to the user once, never stored. */
  secret: string;
  /** Enough to recognise the credential in a list, not enough to use it. */
  prefix: string;
  hash: string;
}

/**
 * SHA-256, hex. A plain hash is enough: the secrets are 192 random bits, so there is nothing for a
 * slow password hash to protect against, and lookups by hash stay one index probe. Every authenticated
 * request hashes its credential to find it in the credential cache: the one-shot crypto.hash does that
 * without the Hash object createHash builds and drops each time.
 */
export const credentialHash = (secret: string): string => hash('sha256', secret, 'hex');

export function mintCredential(kind: CredentialKind): MintedCredential {
  const secret = `${kind}_${randomBytes(24).toString('base64url')}`;
  return { secret, prefix: secret.slice(0, 12), hash: credentialHash(secret) };
}
