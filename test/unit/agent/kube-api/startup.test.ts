// An agent given a kubeconfig it cannot honour does not start, and says which field: with an exec
// plugin it would otherwise connect unauthenticated and fail later with a bare 401.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../../../agent/config.ts';
import { runAgent } from '../../../../agent/main.ts';
import { newKeyRing, trustRootOf } from '../../../../policy/bundle/signing-keys.ts';
import { silentLogger, tempDir } from '../daemon-fixtures.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir('palisade-kube-startup-');
});
afterEach(() => dir.remove());

describe('the agent with --inventory kubernetes', () => {
  it('refuses to start with a kubeconfig user that authenticates by exec plugin', async () => {
    const now = new Date();
    await writeFile(join(dir.path, 'trust-root.json'), JSON.stringify(trustRootOf(await newKeyRing(now), now)));
    await writeFile(join(dir.path, 'token'), 'unused\n');
    await writeFile(
      join(dir.path, 'kubeconfig'),
      JSON.stringify({
        'current-context': 'eks',
        clusters: [{ name: 'eks', cluster: { server: 'https://127.0.0.1:9' } }],
        users: [{ name: 'aws', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws' } } }],
        contexts: [{ name: 'eks', context: { cluster: 'eks', user: 'aws' } }],
      }),
    );
    const loaded = await loadAgentConfig({
      argv: [
        '--control-plane-url=http://127.0.0.1:9',
        `--token-file=${join(dir.path, 'token')}`,
        `--trust-root=${join(dir.path, 'trust-root.json')}`,
        `--tenant-id=${randomUUID()}`,
        `--cluster-id=${randomUUID()}`,
        '--node-name=node-a',
        `--state-dir=${join(dir.path, 'state')}`,
        '--inventory=kubernetes',
        `--kubeconfig=${join(dir.path, 'kubeconfig')}`,
        '--dataplane=dry-run',
      ],
      env: {},
    });
    if (!loaded.ok) throw new Error(loaded.message);
    const started = await runAgent(loaded.config, silentLogger());
    expect(started).toMatchObject({ ok: false, code: 'CONFIG_INVALID' });
    expect(!started.ok && started.message).toMatch(/KUBECONFIG_UNSUPPORTED: .*user aws uses exec/);
  });
});
