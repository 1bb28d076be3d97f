// Resolved credentials, remembered for a few seconds so an authenticated request costs no lookup
// transaction of its own. Revocation stays prompt: an entry lives at most CREDENTIAL_TTL_MS, and the
// process that revokes (any DELETE: a key, an agent token, a cluster and its tokens) drops every entry
// before it answers. Other processes sharing the database see the revocation when their entries expire.
// A credential not yet remembered is looked up once however many requests bring it at the same moment
// (a fleet of agents reconnecting with their cluster's one token): they share the one lookup.

/** How long a resolved credential is trusted without asking the database again. */
export const CREDENTIAL_TTL_MS = 5_000;
/** Bounds the memory a flood of distinct (valid) credentials can take; past it, the cache starts over. */
const MAX_ENTRIES = 10_000;

export interface CredentialCache<T> {
  get(hash: string): T | undefined;
  set(hash: string, value: T): void;
  /** The remembered value, or `lookup`'s, one lookup shared by every caller of `hash` while it runs. */
  resolve(hash: string, lookup: () => Promise<T>): Promise<T>;
  clear(): void;
}

export function createCredentialCache<T>(): CredentialCache<T> {
  const entries = new Map<string, { value: T; expiresAt: number }>();
  const lookups = new Map<string, Promise<T>>();
  /** Bumped by clear(): a lookup that started before a revocation must not remember its answer. */
  let generation = 0;
  function get(hash: string): T | undefined {
    const entry = entries.get(hash);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry.value;
    entries.delete(hash);
    return undefined;
  }
  function set(hash: string, value: T) {
    if (entries.size >= MAX_ENTRIES) entries.clear();
    entries.set(hash, { value, expiresAt: Date.now() + CREDENTIAL_TTL_MS });
  }
  return {
    get,
    set,
    resolve(hash, lookup) {
      const remembered = get(hash);
      if (remembered !== undefined) return Promise.resolve(remembered);
      const running = lookups.get(hash);
      if (running) return running;
      const startedIn = generation;
      const looking = lookup()
        .then((value) => {
          if (generation === startedIn) set(hash, value);
          return value;
        })
        .finally(() => {
          if (lookups.get(hash) === looking) lookups.delete(hash);
        });
      lookups.set(hash, looking);
      return looking;
    },
    clear() {
      generation += 1;
      entries.clear();
      lookups.clear();
    },
  };
}
