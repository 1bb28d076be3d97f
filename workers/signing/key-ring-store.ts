// Where the signing keys live. Production: a sealed file (SIGNING_KEYS_FILE) or a variable
// (SIGNING_KEYS, e.g. injected from KMS/Secrets Manager). Embedded default: a file under DATA_DIR,
// made on first start. A file is re-read when it changes, so `palisade signing-keys rotate` needs no restart.
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

function parseRing(text: string, where: string): KeyRing {
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

export async function rotateKeyRingFile(file: string, now: Date, overlapMs: number): Promise<KeyRing> {
  const rotated = await rotateKeyRing(parseRing(readFileSync(file, 'utf8'), file), now, overlapMs);
  writeKeyRing(file, rotated);
  return rotated;
}
