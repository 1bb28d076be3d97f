// `palisade signing-keys init` on a key ring file: it writes a new ring where there is none, and never
// overwrites a ring or a file that holds something else (a path given by mistake).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { keyRingSchema } from '../../../policy/bundle/index.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'palisade-signing-keys-init-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function init(file: string) {
  const { DATABASE_URL: _database, REDIS_URL: _redis, SIGNING_KEYS_SECRET_ARN: _secret, ...inherited } = process.env;
  return run(process.execPath, ['--import', 'tsx', 'bin/palisade.ts', 'signing-keys', 'init'], { env: { ...inherited, SIGNING_KEYS_FILE: file } }).then(
    ({ stdout }) => ({ code: 0, output: stdout }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: `${error.stdout}${error.stderr}` }),
  );
}

describe('signing-keys init on a file', () => {
  it('writes a ring where there is none, then refuses to replace it', async () => {
    const file = join(dir, 'ring.json');
    const first = await init(file);
    expect(first).toMatchObject({ code: 0, output: expect.stringContaining(`key ring written to ${file}`) });
    const ring = readFileSync(file, 'utf8');
    expect(keyRingSchema.safeParse(JSON.parse(ring)).success).toBe(true);

    const again = await init(file);
    expect(again).toMatchObject({ code: 1, output: expect.stringContaining('holds a key ring; use `signing-keys rotate`') });
    expect(readFileSync(file, 'utf8')).toBe(ring);
  });

  it('leaves a file that holds something else as it was', async () => {
    const file = join(dir, 'kubeconfig');
    writeFileSync(file, 'apiVersion: v1\nkind: Config\n');
    const answer = await init(file);
    expect(answer).toMatchObject({ code: 1, output: expect.stringContaining('holds no key ring; move it away') });
    expect(readFileSync(file, 'utf8')).toBe('apiVersion: v1\nkind: Config\n');
  });
});
