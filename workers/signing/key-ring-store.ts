// Where the signing keys live. Production: a sealed file (SIGNING_KEYS_FILE), a variable
// (SIGNING_KEYS) or a Secrets Manager secret (key-ring-secret.ts). Embedded default: a file under
// DATA_DIR, made on first start. A file is re-read when it changes, so `palisade signing-keys rotate`
// needs no restart. Every store rotates through `rotateStoredKeyRing`: one read, the one rotation rule
// (policy/bundle/signing-keys.ts), one write.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { type KeyRing, keyRingSchema, newKeyRing, rotateKeyRing } from '../../policy/bundle/index.ts';

export interface KeyRingSourceOptions {
  /** The key ring as JSON (takes precedence). */
  json?: string;
  file?: string;
  /** Make the file with a fresh key when it does not exist (only the embedded default does). */
  createIfMissing: boolean;
  now: () => Date;
}

export class KeyRingError extends Error {
  readonly code = 'KEY_RING_UNAVAILABLE';
}

export function parseRing(text: string, where: string): KeyRing {
  const parsed = keyRingSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new KeyRingError(`${where} is not a palisade key ring: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export async function openKeyRing(options: KeyRingSourceOptions): Promise<() => KeyRing> {
  if (options.json) {
    const ring = parseRing(options.json, 'SIGNING_KEYS');
    return () => ring;
  }
  const file = options.file;
  if (!file) throw new KeyRingError('no signing keys: set SIGNING_KEYS_FILE (or SIGNING_KEYS) to a key ring made with `palisade signing-keys init`');
  if (!existsSync(file)) {
    if (!options.createIfMissing) throw new KeyRingError(`signing key file ${file} does not exist; make one with \`palisade signing-keys init\``);
    writeKeyRing(file, await newKeyRing(options.now()));
  }
  let ring = parseRing(readFileSync(file, 'utf8'), file);
  let mtime = statSync(file).mtimeMs;
  let checkedAt = Date.now();
  return () => {
    if (Date.now() - checkedAt > 1_000) {
      checkedAt = Date.now();
      const current = statSync(file).mtimeMs;
      if (current !== mtime) {
        ring = parseRing(readFileSync(file, 'utf8'), file);
        mtime = current;
      }
    }
    return ring;
  };
}

export function writeKeyRing(file: string, ring: KeyRing): void {
  // 0600: the file holds private keys.
  writeFileSync(file, `${JSON.stringify(ring, null, 2)}\n`, { mode: 0o600 });
}

/** Where a key ring is kept, as text: a file, a secret. */
export interface KeyRingStore {
  /** What the store is, for messages. */
  where: string;
  /**
   * Whether `signing-keys init` may replace what the store holds when it is not a key ring: a new
   * secret holds a generated placeholder (infra/aws signing-keys.ts); a file that holds anything else
   * is someone's file, given by mistake.
   */
  replacesNonRing: boolean;
  read(): Promise<string>;
  write(ring: KeyRing): Promise<void>;
}

/** A new active key; the previous one stays trusted for `overlapMs` (a bundle lifetime). */
export async function rotateStoredKeyRing(store: KeyRingStore, now: Date, overlapMs: number): Promise<KeyRing> {
  const rotated = await rotateKeyRing(parseRing(await store.read(), store.where), now, overlapMs);
  await store.write(rotated);
  return rotated;
}

export function keyRingFile(file: string): KeyRingStore {
  return {
    where: file,
    replacesNonRing: false,
    read: async () => readFileSync(file, 'utf8'),
    write: async (ring) => writeKeyRing(file, ring),
  };
}

export function rotateKeyRingFile(file: string, now: Date, overlapMs: number): Promise<KeyRing> {
  return rotateStoredKeyRing(keyRingFile(file), now, overlapMs);
}
