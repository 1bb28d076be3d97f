import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../policy/bundle/sign.ts';

/** `pal_` API keys and `pag_` agent tokens: 192 random bits, base64url; the prefix tells them apart in logs. */
export type CredentialKind = 'pal' | 'pag';

export interface MintedCredential {
  /** Shown to the user once, never stored. */
  secret: string;
  /** Enough to recognise the credential in a list, not enough to use it. */
  prefix: string;
  hash: string;
}

export function mintCredential(kind: CredentialKind): MintedCredential {
  const secret = `${kind}_${randomBytes(24).toString('base64url')}`;
  return { secret, prefix: secret.slice(0, 12), hash: sha256Hex(secret) };
}
