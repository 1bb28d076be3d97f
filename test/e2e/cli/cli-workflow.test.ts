// The palisade CLI end to end against a real control plane on the embedded default (PGlite), as a
// team keeping policy in Git uses it: log in, register a cluster, apply a directory, diff clean,
// edit, diff, apply, prune a removed file, round-trip a get, then read what a (dry-run) agent reports:
// agents, explain, and flows --follow receiving a flow as it is shipped.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowLogEntry } from '../../../policy/flow-log.ts';
import { apiClient, createAgentToken, createPolicy, networkPolicy, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';
import { type CliHarness, cliHarness } from './cli-harness.ts';
import { dryRunAgent } from './dry-run-agent.ts';

const DB_POLICY = `# From a recipe: no namespace, so it goes where -n says.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db-from-api
spec:
  podSelector:
    matchLabels: {app: db}
  ingress:
    - from: [{podSelector: {matchLabels: {app: api}}}]
      ports: [{port: 5432}]
`;
const WEB_POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: 80}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress: [{}]
`;
const GLOBAL_POLICIES = `apiVersion: v1
kind: List
items:
  - apiVersion: projectcalico.org/v3
    kind: GlobalNetworkPolicy
    metadata: {name: deny-quarantined}
    spec:
      order: 10
      selector: quarantine == 'true'
      types: [Ingress]
      ingress: [{action: Deny}]
`;

const inventory = {
  namespaces: [{ name: 'shop', labels: {} }],
  endpoints: [
    { namespace: 'shop', name: 'web', labels: { app: 'web' }, ipv4: ['198.18.0.10'] },
    { namespace: 'shop', name: 'api', labels: { app: 'api' }, ipv4: ['198.18.0.11'] },
    { namespace: 'shop', name: 'db', labels: { app: 'db' }, ipv4: ['198.18.0.12'] },
  ],
};

const deniedFlow: FlowLogEntry = {
  startTime: '2026-12-01T12:00:00.000Z',
  endTime: '2026-12-01T12:00:15.000Z',
  endpoint: 'shop/db',
  direction: 'ingress',
  remote: '198.18.0.10',
  protocol: 6,
  port: 5432,
  kind: 'denied',
  rule: { tier: 'default', policyId: 'NetworkPolicy/shop/db-from-api', ruleIndex: 'default', action: 'Deny' },
  count: 2,
  bytes: 120,
};

const policyNames = (stdout: string) => (JSON.parse(stdout) as { items: { metadata: { name: string } }[] }).items.map((item) => item.metadata.name).sort();

describe('the palisade CLI against the embedded control plane', () => {
  let control: TestControlPlane;
  let cli: CliHarness;
  let key: string;
  let repo: string;
  let agent: ReturnType<typeof dryRunAgent>;

  beforeAll(async () => {
    control = await startTestControlPlane('pglite');
    ({ key } = await signUp(apiClient(control.url)));
    cli = cliHarness();
    repo = mkdtempSync(join(tmpdir(), 'palisade-cli-repo-'));
    mkdirSync(join(repo, 'shop'));
    mkdirSync(join(repo, 'global'));
    writeFileSync(join(repo, 'shop', 'db.yaml'), DB_POLICY);
    writeFileSync(join(repo, 'shop', 'web.yaml'), WEB_POLICY);
    writeFileSync(join(repo, 'global', 'policies.yaml'), GLOBAL_POLICIES);
    writeFileSync(join(repo, 'README.md'), 'not a manifest: skipped');
  });
  afterAll(async () => {
    await control?.stop();
    cli?.remove();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('logs in: checks the key, stores URL and key readable by the user only', async () => {
    const login = await cli.run(['login', '--url', control.url, '--api-key-stdin'], { stdin: `${key}\n` });
    expect(login).toMatchObject({ code: 0, stderr: '' });
    expect(login.stdout).toMatch(/^Logged in to http:\/\/127\.0\.0\.1:\d+ as tenant tenant-\w+ \(plan free\)/);
    expect(statSync(cli.configFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(cli.configFile, 'utf8'))).toEqual({ url: control.url, apiKey: key });
  });

  it('registers a cluster and lists it', async () => {
    const created = await cli.run(['clusters', 'create', 'prod', '--provider', 'kind']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^cluster prod created \(id [0-9a-f-]{36}\)\n$/);
    const table = await cli.run(['clusters', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME +PROVIDER +STATUS +AGE$/);
    expect(table.stdout).toMatch(/^prod +kind +pending /m);
    const json = await cli.run(['clusters', 'get', 'prod', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'prod', provider: 'kind', status: 'pending' });
  });

  it('applies a directory recursively: namespaces filled in from -n, Lists flattened, other files skipped', async () => {
    const applied = await cli.run(['apply', '-f', repo, '-R', '--cluster', 'prod', '-n', 'shop']);
    expect(applied).toMatchObject({ code: 0, stderr: '' });
    expect(applied.stdout).toBe(
      [
        'GlobalNetworkPolicy deny-quarantined created',
        'NetworkPolicy shop/db-from-api created',
        'NetworkPolicy shop/web-ingress created',
        'NetworkPolicy shop/web-egress created',
        '',
      ].join('\n'),
    );
    const listed = await cli.run(['get', 'policies', '--cluster', 'prod', '-o', 'json']);
    expect(policyNames(listed.stdout)).toEqual(['db-from-api', 'deny-quarantined', 'web-egress', 'web-ingress']);
    const table = await cli.run(['get', 'policies', '--cluster', 'prod', '-o', 'wide']);
    expect(table.stdout).toMatch(/^NetworkPolicy +shop +db-from-api +1 +\S+ +networking\.k8s\.io +cli +[0-9a-f-]{36}$/m);
  });

  it('diffs clean (exit 0, no output), then shows an edit as a unified diff (exit 1), applies it, and is clean again', async () => {
    const clean = await cli.run(['diff', '-f', repo, '-R', '--cluster', 'prod', '-n', 'shop']);
    expect(clean).toEqual({ code: 0, stdout: '', stderr: '' });

    writeFileSync(join(repo, 'shop', 'db.yaml'), DB_POLICY.replace('5432', '6432'));
    const changed = await cli.run(['diff', '-f', repo, '-R', '--cluster', 'prod', '-n', 'shop']);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('--- LIVE/NetworkPolicy/shop/db-from-api\n+++ MERGED/NetworkPolicy/shop/db-from-api\n@@ ');
    expect(changed.stdout).toContain('\n-        - port: 5432\n+        - port: 6432\n');
    expect(changed.stdout).not.toContain('web-ingress');

    // Colour and progress for a person at a terminal only (the other runs here assert plain output).
    const coloured = await cli.run(['diff', '-f', repo, '-R', '--cluster', 'prod', '-n', 'shop'], { isTTY: true });
    expect(coloured.stdout).toContain('\u001b[31m-        - port: 5432\u001b[0m\n\u001b[32m+        - port: 6432\u001b[0m\n');
    const noColour = await cli.run(['diff', '-f', repo, '-R', '--cluster', 'prod', '-n', 'shop'], { isTTY: true, env: { NO_COLOR: '1' } });
    expect(noColour.stdout).toBe(changed.stdout);

    const applied = await cli.run(['apply', '-f', repo, '-R', '--cluster', 'prod', '-n', 'shop'], { isTTY: true, env: { NO_COLOR: '1' } });
    expect(applied.stderr).toBe('\r\u001b[Kapplying 4 objects to cluster prod...\r\u001b[K');
    expect(applied.stdout).toContain('NetworkPolicy shop/db-from-api configured\n');
    expect(applied.stdout).toContain('NetworkPolicy shop/web-ingress unchanged\n');
    expect((await cli.run(['diff', '-f', repo, '-R', '--cluster', 'prod', '-n', 'shop'])).code).toBe(0);
  });

  it('prunes what the CLI applied and the files no longer hold, never what was created elsewhere', async () => {
    const clusterId = JSON.parse((await cli.run(['clusters', 'get', 'prod', '-o', 'json'])).stdout).id as string;
    await createPolicy(apiClient(control.url), key, clusterId, networkPolicy('made-in-the-console', 'ops'));
    rmSync(join(repo, 'shop', 'web.yaml'));

    const preview = await cli.run(['diff', '-f', repo, '-R', '--cluster', 'prod', '-n', 'shop', '--prune']);
    expect(preview.code).toBe(1);
    expect(preview.stdout).toContain('--- LIVE/NetworkPolicy/shop/web-ingress\n+++ MERGED/NetworkPolicy/shop/web-ingress\n@@ -1,');
    expect(preview.stdout).not.toContain('made-in-the-console');

    const dryRun = await cli.run(['apply', '-f', repo, '-R', '--cluster', 'prod', '-n', 'shop', '--prune', '--dry-run']);
    expect(dryRun.stdout).toContain('NetworkPolicy shop/web-ingress pruned (dry run)\n');
    const pruned = await cli.run(['apply', '-f', repo, '-R', '--cluster', 'prod', '-n', 'shop', '--prune', '-o', 'json']);
    expect(pruned.code).toBe(0);
    expect(JSON.parse(pruned.stdout)).toMatchObject({
      dryRun: false,
      cluster: 'prod',
      pruned: ['NetworkPolicy shop/web-ingress', 'NetworkPolicy shop/web-egress'],
    });
    const listed = await cli.run(['get', 'policies', '--cluster', 'prod', '-o', 'json']);
    expect(policyNames(listed.stdout)).toEqual(['db-from-api', 'deny-quarantined', 'made-in-the-console']);
    expect((await cli.run(['diff', '-f', repo, '-R', '--cluster', 'prod', '-n', 'shop', '--prune'])).code).toBe(0);
  });

  it('round-trips get: applying its output changes nothing, one object or a List', async () => {
    const one = await cli.run(['get', 'policy', 'db-from-api', '--cluster', 'prod', '-n', 'shop', '-o', 'yaml']);
    expect(one.stdout).toMatch(
      /^apiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\nmetadata:\n {2}name: db-from-api\n {2}namespace: shop\n {2}annotations:\n {4}palisade\.dev\/applied-by: cli\nspec:\n/,
    );
    const file = join(cli.home, 'db-from-api.yaml');
    writeFileSync(file, one.stdout);
    expect((await cli.run(['apply', '-f', file, '--cluster', 'prod'])).stdout).toBe('NetworkPolicy shop/db-from-api unchanged\n');
    // kubectl's pipe: get -o yaml | apply -f -
    expect((await cli.run(['apply', '-f', '-', '--cluster', 'prod'], { stdin: one.stdout })).stdout).toBe('NetworkPolicy shop/db-from-api unchanged\n');

    const list = await cli.run(['get', 'policies', '--cluster', 'prod', '-n', 'shop', '-o', 'yaml']);
    expect(list.stdout).toMatch(/^apiVersion: v1\nkind: List\nitems:\n/);
    writeFileSync(file, list.stdout);
    expect(await cli.run(['diff', '-f', file, '--cluster', 'prod'])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it("shows each node's agent, explains a verdict from the agent's inventory, and follows flows as the agent ships them", async () => {
    const clusterId = JSON.parse((await cli.run(['clusters', 'get', 'prod', '-o', 'json'])).stdout).id as string;
    agent = dryRunAgent(control.url, await createAgentToken(apiClient(control.url), key, clusterId), 'node-a');

    await agent.reportStatus({ appliedRevision: 3, errors: [{ code: 'ATTACH_FAILED', message: 'veth gone' }] });
    const agents = await cli.run(['agents', '--cluster', 'prod']);
    expect(agents.stdout.split('\n')[0]).toMatch(/^NODE +REVISION +LAST SEEN +ERRORS$/);
    expect(agents.stdout).toMatch(/^node-a +3 +\d+s +ATTACH_FAILED: veth gone$/m);

    await agent.reportInventory(inventory);
    const verdict = async (from: string, port: string) =>
      JSON.parse((await cli.run(['explain', '--cluster', 'prod', '--from', from, '--to', 'shop/db', '--port', port, '-o', 'json'])).stdout).verdict;
    // Bundles are built in the background after each apply: wait for the one with db-from-api's edit.
    await expect.poll(() => verdict('shop/api', '6432/TCP'), { timeout: 20_000 }).toBe('allow');
    expect(await verdict('shop/web', '6432/TCP')).toBe('deny');
    const denied = await cli.run(['explain', '--cluster', 'prod', '--from', 'shop/web', '--to', 'shop/db', '--port', '6432']);
    expect(denied.code).toBe(0);
    expect(denied.stdout).toMatch(/^deny: shop\/web -> shop\/db port 6432\/TCP \(bundle revision \d+\)\n/);
    expect(denied.stdout).toContain('  ingress of shop/db: deny\n    tier default, NetworkPolicy/shop/db-from-api, tier default: Deny\n');

    // The flow stored before, printed at once; then one shipped while following (the dry-run agent posts
    // it with its agent token to POST /v1/agent/flows), pushed over the flow stream as it arrives.
    await agent.shipFlows([deniedFlow]);
    const follow = cli.start(['flows', '--cluster', 'prod', '--follow', '--verdict', 'deny', '-n', 'shop']);
    await expect.poll(() => follow.stdout().split('\n').length - 1, { timeout: 15_000 }).toBe(1);
    const later = { ...deniedFlow, remote: '198.18.0.11', startTime: '2026-12-01T12:00:15.000Z', endTime: '2026-12-01T12:00:30.000Z' };
    await agent.shipFlows([{ ...later, kind: 'allowed', endpoint: 'shop/web' }, { ...later, endpoint: 'ops/tool' }, later]);
    await expect.poll(() => follow.stdout().split('\n').length - 1, { timeout: 15_000 }).toBe(2);
    const result = await follow.stop();
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({ ...deniedFlow, nodeName: 'node-a', id: expect.any(String) }),
      expect.objectContaining({ ...later, nodeName: 'node-a', id: expect.any(String) }),
    ]);

    const table = await cli.run(['flows', '--cluster', 'prod'], { isTTY: true, env: { NO_COLOR: '1' } });
    expect(table.stdout.split('\n')[0]).toMatch(/^TIME +VERDICT +DIRECTION +ENDPOINT +REMOTE +PORT +COUNT +RULE$/);
    expect(table.stdout).toMatch(/^12:00:15 +deny +ingress +shop\/db +198\.18\.0\.10 +5432\/TCP +2 +default\/NetworkPolicy\/shop\/db-from-api#default Deny$/m);
    expect(table.stdout.trim().split('\n')).toHaveLength(5);
  });

  it('creates, lists and revokes API keys; a revoked key is refused', async () => {
    const created = await cli.run(['keys', 'create', 'ci', '--role', 'editor', '-o', 'json']);
    expect(created.code).toBe(0);
    const ciKey = JSON.parse(created.stdout).key as string;
    const listed = await cli.run(['keys', 'list']);
    expect(listed.stdout).toMatch(/^[0-9a-f-]{36} +ci +editor +pal_/m);
    // CI's way: no login, no config file; the environment names the control plane and the key.
    const ci = { env: { HOME: mkdtempSync(join(tmpdir(), 'palisade-ci-home-')), PALISADE_URL: control.url, PALISADE_API_KEY: ciKey } };
    expect((await cli.run(['diff', '-f', repo, '-R', '--cluster', 'prod', '-n', 'shop'], ci)).code).toBe(0);
    expect(await cli.run(['keys', 'revoke', 'ci'])).toMatchObject({ code: 0, stdout: 'API key ci revoked\n' });
    const refused = await cli.run(['clusters', 'list'], ci);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^error: .* \[UNAUTHORIZED\]; run `palisade login` again, or check PALISADE_API_KEY\n$/);
  });

  it('runs as a process through the package bin, exit code and all', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'bin/palisade.ts', ...args], {
          env: { ...process.env, HOME: cli.home, PALISADE_URL: '', PALISADE_API_KEY: '' },
        });
        let stdout = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.on('close', (code) => resolve({ code, stdout }));
      });
    writeFileSync(join(repo, 'shop', 'db.yaml'), DB_POLICY.replace('5432', '7432'));
    const diff = await run(['diff', '-f', join(repo, 'shop'), '--cluster', 'prod', '-n', 'shop']);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('+        - port: 7432\n');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:\n  0  success');
  });
});
