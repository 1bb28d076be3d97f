// `npm start` on a fresh clone: the embedded database, a demo tenant whose key is printed once, data
// that survives a restart, and a clean exit on Ctrl-C.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'palisade-start-'));

function start(): { child: ChildProcess; output: () => string; line: (pattern: RegExp) => Promise<RegExpMatchArray> } {
  // The same command as the `start` script, without npm in between so signals reach the server directly.
  const { DATABASE_URL: _database, REDIS_URL: _redis, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/palisade.ts', 'serve'], {
    env: { ...env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return {
    child,
    output: () => output,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`no line matching ${pattern} within 60 s; output:\n${output}`)), 60_000);
        const check = () => {
          const match = output.match(pattern);
          if (match) {
            clearTimeout(deadline);
            child.stdout!.off('data', check);
            resolve(match);
          }
        };
        child.stdout!.on('data', check);
        check();
      }),
  };
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('the embedded default (npm start)', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints a demo API key and console sign-in on first start, keeps its data across a restart, and stops cleanly on SIGINT', {
    timeout: 180_000,
  }, async () => {
    const first = start();
    const [, key] = await first.line(/^API key: (pal_\S+)$/m);
    const [, consoleUrl] = await first.line(/^Console: (http:\/\/\S+\/)$/m);
    const [, email, password] = await first.line(/^Sign in: (\S+) \/ (\S+)$/m);
    const [, url] = await first.line(/listening on (http:\/\/\S+)/);
    expect(consoleUrl).toBe(`${url}/`);
    const signedIn = await fetch(`${url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(signedIn.status).toBe(200);
    expect((await signedIn.json()).tenant.name).toBe('demo');
    const tenant = await fetch(`${url}/v1/tenant`, { headers: { authorization: `Bearer ${key}` } });
    expect(tenant.status).toBe(200);
    expect((await tenant.json()).name).toBe('demo');
    const cluster = await fetch(`${url}/v1/clusters`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'kept' }),
    });
    expect(cluster.status).toBe(201);
    first.child.kill('SIGINT');
    expect(await exitCode(first.child)).toBe(0);

    const second = start();
    await second.line(/Demo tenant exists\. To mint a new API key/);
    const [, url2] = await second.line(/listening on (http:\/\/\S+)/);
    expect(second.output()).not.toMatch(/^API key:/m);
    expect(second.output()).not.toMatch(/^Sign in:/m);
    const clusters = await fetch(`${url2}/v1/clusters`, { headers: { authorization: `Bearer ${key}` } });
    expect((await clusters.json()).items.map((item: { name: string }) => item.name)).toEqual(['kept']);
    second.child.kill('SIGINT');
    expect(await exitCode(second.child)).toBe(0);
  });
});
