// The agent's configuration (file < environment < flags) and where its trust root comes from (a file
// that is re-read when it changes, or trust on first use pinned in the state dir, only when asked for).
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BUNDLE_BYTES, DEFAULT_STATE_DIR, loadAgentConfig } from '../../../agent/config.ts';
import { openPinnedTrustRoot, openTrustRootFile, PINNED_TRUST_ROOT_FILE } from '../../../agent/trust/trust-root.ts';
import { makeKeys, silentLogger, tempDir } from './daemon-fixtures.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await dir.remove();
});

const tenantId = randomUUID();
const clusterId = randomUUID();

describe('loadAgentConfig', () => {
  it('layers a YAML file, then PALISADE_* variables, then flags', async () => {
    const file = join(dir.path, 'agent.yaml');
    await writeFile(
      file,
      [
        'controlPlaneUrl: https://palisade.example.com/',
        'tokenFile: /var/run/palisade/token',
        'trustRootFile: /etc/palisade/trust-root.json',
        `tenantId: ${tenantId}`,
        `clusterId: ${clusterId}`,
        'nodeName: from-file',
        'waitSeconds: 10',
        'inventory: { source: kubernetes }',
      ].join('\n'),
    );
    const result = await loadAgentConfig({
      argv: ['--config', file, '--wait-seconds', '45'],
      env: { PALISADE_NODE_NAME: 'node-7', PALISADE_WAIT_SECONDS: '20', PALISADE_MAX_BUNDLE_BYTES: '1048576' },
    });
    expect(result).toEqual({
      ok: true,
      config: {
        controlPlaneUrl: 'https://palisade.example.com',
        tokenFile: '/var/run/palisade/token',
        trustRootFile: '/etc/palisade/trust-root.json',
        trustOnFirstUse: false,
        tenantId,
        clusterId,
        nodeName: 'node-7',
        stateDir: DEFAULT_STATE_DIR,
        maxBundleBytes: 1_048_576,
        waitSeconds: 45,
        statusIntervalSeconds: 60,
        inventory: { source: 'kubernetes' },
        dataplane: 'ebpf',
        logLevel: 'info',
      },
    });
  });

  it('takes everything from flags, with defaults for the rest', async () => {
    const result = await loadAgentConfig({
      argv: [
        '--control-plane-url=http://127.0.0.1:8080',
        '--token=pag_x',
        '--trust-on-first-use',
        `--tenant-id=${tenantId}`,
        `--cluster-id=${clusterId}`,
        '--node-name=lab-1',
        '--inventory-file=/lab/inventory.json',
      ],
      env: {},
    });
    expect(result).toMatchObject({
      ok: true,
      config: { trustOnFirstUse: true, maxBundleBytes: DEFAULT_MAX_BUNDLE_BYTES, inventory: { source: 'file', path: '/lab/inventory.json' } },
    });
  });

  it('refuses, as a value naming the fields, a config without identity, credential or trust root', async () => {
    const result = await loadAgentConfig({ argv: ['--control-plane-url=http://cp', '--node-name=n', '--inventory=kubernetes'], env: {} });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('CONFIG_INVALID');
    for (const field of ['tenantId', 'clusterId', 'token', 'trustRootFile']) expect(result.message).toContain(field);
  });

  it('refuses both a token and a token file, unknown flags, and a bad node name', async () => {
    const base = [`--tenant-id=${tenantId}`, `--cluster-id=${clusterId}`, '--control-plane-url=http://cp', '--trust-root=/t', '--inventory=kubernetes'];
    expect(await loadAgentConfig({ argv: [...base, '--token=a', '--token-file=/b', '--node-name=n'], env: {} })).toMatchObject({
      ok: false,
      message: expect.stringContaining('exactly one'),
    });
    expect(await loadAgentConfig({ argv: [...base, '--token=a', '--node-name=n', '--frobnicate'], env: {} })).toMatchObject({
      ok: false,
      code: 'CONFIG_INVALID',
    });
    expect(await loadAgentConfig({ argv: [...base, '--token=a', '--node-name=Not_A_Node'], env: {} })).toMatchObject({
      ok: false,
      message: expect.stringContaining('nodeName'),
    });
  });
});

describe('the trust root', () => {
  it('is read from its file, re-read when the file changes, and kept when the new content is unusable', async () => {
    const first = await makeKeys();
    const second = await makeKeys();
    const path = join(dir.path, 'trust-root.json');
    await writeFile(path, JSON.stringify(first.trustRoot));
    const opened = await openTrustRootFile(path, silentLogger());
    if (!opened.ok) throw new Error(opened.message);
    expect((await opened.source.current()).keys.map((key) => key.kid)).toEqual([first.signingKey.kid]);

    await writeFile(path, JSON.stringify({ keys: [...first.trustRoot.keys, ...second.trustRoot.keys] }));
    expect((await opened.source.current()).keys.map((key) => key.kid)).toEqual([first.signingKey.kid, second.signingKey.kid]);

    await writeFile(path, '{"keys": []}');
    expect((await opened.source.current()).keys).toHaveLength(2);
  });

  it('refuses a file that is not an Ed25519 JWKS', async () => {
    const path = join(dir.path, 'trust-root.json');
    await writeFile(path, JSON.stringify({ keys: [{ kty: 'RSA', n: 'x', e: 'AQAB', kid: 'k' }] }));
    expect(await openTrustRootFile(path, silentLogger())).toMatchObject({ ok: false, code: 'TRUST_ROOT_INVALID' });
  });

  it('on first use, is fetched once and pinned; later starts use the pin and never fetch', async () => {
    const keys = await makeKeys();
    const fetched: string[] = [];
    const fakeFetch = (async (url: string | URL | Request) => {
      fetched.push(String(url));
      return new Response(JSON.stringify(keys.trustRoot), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const options = { stateDir: dir.path, controlPlaneUrl: 'http://cp.example', logger: silentLogger(), fetch: fakeFetch };

    const first = await openPinnedTrustRoot(options);
    if (!first.ok) throw new Error(first.message);
    expect(fetched).toEqual(['http://cp.example/v1/trust-root']);
    expect(JSON.parse(await readFile(join(dir.path, PINNED_TRUST_ROOT_FILE), 'utf8'))).toEqual(keys.trustRoot);

    const second = await openPinnedTrustRoot(options);
    if (!second.ok) throw new Error(second.message);
    expect(fetched).toHaveLength(1);
    expect(await second.source.current()).toEqual(keys.trustRoot);
  });

  it('does not replace a damaged pin with whatever the network says now', async () => {
    await writeFile(join(dir.path, PINNED_TRUST_ROOT_FILE), 'garbage');
    const fakeFetch = (async () => {
      throw new Error('must not be called');
    }) as typeof fetch;
    expect(await openPinnedTrustRoot({ stateDir: dir.path, controlPlaneUrl: 'http://cp', logger: silentLogger(), fetch: fakeFetch })).toMatchObject({
      ok: false,
      code: 'TRUST_ROOT_INVALID',
    });
  });
});
