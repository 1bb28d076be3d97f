// Resolved credentials, remembered for a few seconds so an authenticated request costs no lookup
// transaction of its own. Revocation stays prompt: an entry lives at most CREDENTIAL_TTL_MS, and the
// process that revokes (any DELETE: a key, an agent token, a cluster and its tokens) drops every entry
// before it answers. Other processes sharing the database see the revocation when their entries expire.

/** How long a resolved credential is trusted without asking the database again. */
export const CREDENTIAL_TTL_MS = 5_000;
/** Bounds the memory a flood of distinct (valid) credentials can take; past it, the cache starts over. */
const MAX_ENTRIES = 10_000;

export interface CredentialCache<T> {
  get(hash: string): T | undefined;
  set(hash: string, value: T): void;
  clear(): void;
}

export function createCredentialCache<T>(): CredentialCache<T> {
  const entries = new Map<string, { value: T; expiresAt: number }>();
  return {
    get(hash) {
      const entry = entries.get(hash);
      if (!entry) return undefined;
      if (entry.expiresAt > Date.now()) return entry.value;
      entries.delete(hash);
      return undefined;
    },
    set(hash, value) {
      if (entries.size >= MAX_ENTRIES) entries.clear();
      entries.set(hash, { value, expiresAt: Date.now() + CREDENTIAL_TTL_MS });
    },
    clear() {
      entries.clear();
    },
  };
}
