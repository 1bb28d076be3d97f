// A projected service-account token rotates in place: the reader picks up the new one within its
// maximum age, and keeps the one it has while the file is briefly missing (replaced by a rename).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tokenReader } from '../../../../agent/inventory/kube-api/token.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-token-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('tokenReader', () => {
  it('reads a rotated token file again once the token it has is a minute old', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'first\n');
    let now = 0;
    const token = tokenReader({ file }, { now: () => now });
    expect(token()).toBe('first');
    writeFileSync(file, 'second\n');
    now = 59_999;
    expect(token()).toBe('first'); // not a file read per request
    now = 60_000;
    expect(token()).toBe('second');
  });

  it('keeps the last token while the file is missing, and fails when it never had one', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'first');
    let now = 0;
    const token = tokenReader({ file }, { now: () => now });
    expect(token()).toBe('first');
    rmSync(file);
    now = 120_000;
    expect(token()).toBe('first');
    expect(() => tokenReader({ file: join(dir, 'never') })()).toThrow(/ENOENT/);
  });

  it('gives an inline token as it is, and no token when there is none', () => {
    expect(tokenReader({ inline: 'abc' })()).toBe('abc');
    expect(tokenReader(undefined)()).toBeUndefined();
  });
});
