// The kubeconfig subset the agent reads (agent/inventory/kube-api/kubeconfig.ts, connection.ts):
// what it takes from the current context, where it resolves relative files, and what it refuses.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inClusterConnection, kubeconfigConnection } from '../../../../agent/inventory/kube-api/connection.ts';
import { parseKubeconfig } from '../../../../agent/inventory/kube-api/kubeconfig.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64');

function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'lab',
    clusters: [
      { name: 'other', cluster: { server: 'https://other.example:6443' } },
      { name: 'lab', cluster },
    ],
    users: [
      { name: 'other', user: { exec: { command: 'aws' } } },
      { name: 'agent', user },
    ],
    contexts: [
      { name: 'other', context: { cluster: 'other', user: 'other' } },
      { name: 'lab', context: { cluster: 'lab', user: 'agent' } },
    ],
    ...extra,
  };
}

describe('parseKubeconfig', () => {
  it('takes the current context: its cluster (server, CA file relative to the kubeconfig) and its token', () => {
    const parsed = parseKubeconfig(kubeconfig({ server: 'https://10.0.0.1:6443/', 'certificate-authority': 'pki/ca.crt' }, { token: 'abc' }), '/etc/lab');
    expect(parsed).toEqual({
      ok: true,
      target: { server: 'https://10.0.0.1:6443', ca: { file: '/etc/lab/pki/ca.crt' }, insecureSkipTlsVerify: false, token: { inline: 'abc' } },
    });
  });

  it('decodes inline CA, client certificate and key, and honours insecure-skip-tls-verify', () => {
    const parsed = parseKubeconfig(
      kubeconfig(
        { server: 'https://k.example', 'certificate-authority-data': b64('CA PEM'), 'insecure-skip-tls-verify': true },
        { 'client-certificate-data': b64('CERT PEM'), 'client-key': '/abs/key.pem' },
      ),
      '/etc/lab',
    );
    expect(parsed).toEqual({
      ok: true,
      target: {
        server: 'https://k.example',
        ca: { inline: 'CA PEM' },
        insecureSkipTlsVerify: true,
        clientCertificate: { cert: { inline: 'CERT PEM' }, key: { file: '/abs/key.pem' } },
      },
    });
  });

  it('takes a tokenFile as a file to read (relative to the kubeconfig)', () => {
    const parsed = parseKubeconfig(kubeconfig({ server: 'https://k.example' }, { tokenFile: 'token' }), '/etc/lab');
    expect(parsed.ok && parsed.target.token).toEqual({ file: '/etc/lab/token' });
  });

  it.each([
    ['exec', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'aws' } }],
    ['auth-provider', { 'auth-provider': { name: 'gcp' } }],
    ['username', { username: 'admin', password: 'secret' }],
    ['as', { token: 'abc', as: 'system:admin' }],
  ])('refuses a user with %s, naming it', (field, user) => {
    const parsed = parseKubeconfig(kubeconfig({ server: 'https://k.example' }, user), '/');
    expect(parsed).toMatchObject({ ok: false, code: 'KUBECONFIG_UNSUPPORTED' });
    expect(!parsed.ok && parsed.message).toContain(`uses ${field}`);
  });

  it('refuses a cluster behind a proxy-url rather than connecting around it', () => {
    const parsed = parseKubeconfig(kubeconfig({ server: 'https://k.example', 'proxy-url': 'http://proxy:3128' }, { token: 'abc' }), '/');
    expect(parsed).toMatchObject({ ok: false, code: 'KUBECONFIG_UNSUPPORTED' });
    expect(!parsed.ok && parsed.message).toContain('proxy-url');
  });

  it.each([
    ['a current-context that is not there', kubeconfig({ server: 'https://k.example' }, {}, { 'current-context': 'gone' }), 'current-context gone'],
    ['no current-context', kubeconfig({ server: 'https://k.example' }, {}, { 'current-context': undefined }), 'current-context'],
    ['a server that is not a URL', kubeconfig({ server: 'k.example:6443' }, {}), 'is not http(s)'],
    ['a certificate without its key', kubeconfig({ server: 'https://k.example' }, { 'client-certificate': 'c.pem' }), 'both the certificate and its key'],
    ['a cluster without a server', kubeconfig({}, {}), 'clusters.1.cluster.server'],
  ])('says what is wrong with %s', (_, document, message) => {
    const parsed = parseKubeconfig(document, '/');
    expect(parsed).toMatchObject({ ok: false, code: 'KUBECONFIG_INVALID' });
    expect(!parsed.ok && parsed.message).toContain(message);
  });
});

describe('connections from files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-kubeconfig-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a kubeconfig in YAML with the files it names', () => {
    writeFileSync(join(dir, 'ca.crt'), 'CA PEM');
    writeFileSync(join(dir, 'token'), 'file-token\n');
    writeFileSync(
      join(dir, 'config'),
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: lab',
        'clusters:',
        '- name: lab',
        '  cluster: {server: "https://127.0.0.1:6443", certificate-authority: ca.crt}',
        'users:',
        '- name: agent',
        '  user: {tokenFile: token}',
        'contexts:',
        '- name: lab',
        '  context: {cluster: lab, user: agent}',
      ].join('\n'),
    );
    const result = kubeconfigConnection(join(dir, 'config'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.connection).toMatchObject({ server: 'https://127.0.0.1:6443', tls: { ca: 'CA PEM', rejectUnauthorized: true } });
    expect(result.connection.token()).toBe('file-token');
  });

  it('refuses a KUBECONFIG that lists several files (kubectl merges them; the agent reads one)', () => {
    expect(kubeconfigConnection(`${join(dir, 'a')}:${join(dir, 'b')}`)).toMatchObject({ ok: false, code: 'KUBECONFIG_UNSUPPORTED' });
  });

  it('reports a missing file the kubeconfig names as a configuration error, not later as a 401', () => {
    writeFileSync(join(dir, 'config'), JSON.stringify(kubeconfig({ server: 'https://k.example' }, { tokenFile: 'missing-token' })));
    const result = kubeconfigConnection(join(dir, 'config'));
    expect(result).toMatchObject({ ok: false, code: 'KUBECONFIG_INVALID' });
    expect(!result.ok && result.message).toContain('missing-token');
  });

  it('in a pod: the service address from the environment (IPv6 bracketed), the service account token and CA', () => {
    writeFileSync(join(dir, 'ca.crt'), 'CLUSTER CA');
    writeFileSync(join(dir, 'token'), 'sa-token');
    const result = inClusterConnection({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir);
    expect(result.ok && { server: result.connection.server, ca: result.connection.tls.ca, token: result.connection.token() }).toEqual({
      server: 'https://[fd00::1]:443',
      ca: 'CLUSTER CA',
      token: 'sa-token',
    });
    expect(inClusterConnection({}, dir)).toMatchObject({ ok: false, code: 'IN_CLUSTER_UNAVAILABLE' });
  });
});
