// The key ring as a Secrets Manager secret (SIGNING_KEYS_SECRET_ARN), the hosted deployment's home for
// it: every process reads it at start and keeps its copy fresh, and `palisade signing-keys rotate`
// rotates it in place (GetSecretValue, the one rotation rule, PutSecretValue).
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { KeyRing } from '../../policy/bundle/index.ts';
import { KeyRingError, type KeyRingStore, parseRing } from './key-ring-store.ts';

export interface SecretsAccess {
  region: string | undefined;
  /** Another endpoint than AWS's (AWS_ENDPOINT_URL: a local stack, the tests' stand-in). */
  endpoint: string | undefined;
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
}

export function keyRingSecret(secretArn: string, access: SecretsAccess): KeyRingStore {
  const client = new SecretsManagerClient({
    ...(access.region && { region: access.region }),
    ...(access.endpoint && { endpoint: access.endpoint }),
    ...(access.credentials && { credentials: access.credentials }),
  });
  return {
    where: `secret ${secretArn}`,
    replacesNonRing: true,
    async read() {
      const secret = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      if (secret.SecretString === undefined) throw new KeyRingError(`secret ${secretArn} holds no text (SecretString)`);
      return secret.SecretString;
    },
    async write(ring) {
      await client.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify(ring) }));
    },
  };
}

/**
 * The ring read once now (a process does not start without it), then re-read in the background when
 * a caller finds its copy older than `refreshMs`: callers are synchronous, so they get the copy they
 * have and the next one gets the new ring. A failed refresh keeps the copy and is reported.
 */
export async function openSecretKeyRing(store: KeyRingStore, options: { refreshMs: number; onRefreshError: (error: unknown) => void }): Promise<() => KeyRing> {
  let ring = parseRing(await store.read(), store.where);
  let readAt = Date.now();
  let refreshing: Promise<void> | undefined;
  return () => {
    if (refreshing === undefined && Date.now() - readAt > options.refreshMs) {
      readAt = Date.now();
      refreshing = store
        .read()
        .then((text) => {
          ring = parseRing(text, store.where);
        }, options.onRefreshError)
        .catch(options.onRefreshError)
        .finally(() => {
          refreshing = undefined;
        });
    }
    return ring;
  };
}
