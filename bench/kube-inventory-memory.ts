// `npm run bench -- kube-inventory [--json]`: the agent's resident memory with a Kubernetes inventory
// (issue 13 item 5: agentRssMiB < 150 on a real node, where the inventory comes from the API server).
// The real agent (tsx, dry-run dataplane, a restored empty bundle so it applies without a control
// plane) reads 1,000 pods through its own list/watch client from a stand-in API server (node:http,
// lists plus watches that stay open). The baseline, interleaved in the same run, is the same agent
// with @kubernetes/client-node preloaded (`--import`): what the agent carried when it listed and
// watched through that package, as a lower bound: the package's API clients and serializers, which
// the old agent also built, are not exercised (measured on the old code against this stand-in: ~220
// MiB). VmRSS and VmHWM come from /proc once its log says "bundle applied".
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAST_GOOD_FILE } from '../agent/state/last-good.ts';
import { createBundleIssuer } from './bundles.ts';
import { statusMiB } from './process-status.ts';
import { progress } from './progress.ts';
import { benchPolicySet } from './rules.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PODS = 1000;
const ROUNDS = 3;
const NODE = 'bench-kube';
const SETTLE_MS = 2000;

function standInObjects(): Record<string, unknown[]> {
  const ip = (i: number) => `10.${(i >> 8) & 255}.${i & 255}.1`;
  return {
    '/api/v1/namespaces': [{ metadata: { name: 'shop', resourceVersion: '1', labels: {} } }],
    '/api/v1/pods': Array.from({ length: PODS }, (_, i) => ({
      metadata: { name: `pod-${i}`, namespace: 'shop', resourceVersion: '1', labels: { app: `app-${i % 10}` } },
      spec: { nodeName: i % 50 === 0 ? NODE : 'elsewhere', containers: [{ name: 'main', ports: [{ name: 'http', containerPort: 8080 }] }] },
      status: { phase: 'Running', podIP: ip(i), podIPs: [{ ip: ip(i) }] },
    })),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const round = (n: number) => Math.round(n * 10) / 10;

export async function runKubeInventoryMemoryBench(options: { json: boolean }): Promise<number> {
  const objects = standInObjects();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (url.searchParams.get('watch') === 'true') return void res.writeHead(200).write('');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ metadata: { resourceVersion: '1' }, items: objects[url.pathname] ?? [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-kube-'));
  try {
    const issuer = await createBundleIssuer();
    const jws = await issuer.sign(1, benchPolicySet(null));
    writeFileSync(join(dir, 'trust-root.json'), JSON.stringify(issuer.trustRoot));
    writeFileSync(join(dir, 'token'), 'unused\n');
    writeFileSync(
      join(dir, 'kubeconfig'),
      JSON.stringify({
        'current-context': 'stand-in',
        // insecure-skip-tls-verify: the package refuses plain http without it (our client needs none)
        clusters: [{ name: 'stand-in', cluster: { server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'agent', user: { token: 'stand-in' } }],
        contexts: [{ name: 'stand-in', context: { cluster: 'stand-in', user: 'agent' } }],
      }),
    );
    const run = async (label: 'ownClient' | 'withClientNode', round: number) => {
      const stateDir = join(dir, `state-${label}-${round}`);
      mkdirSync(stateDir);
      writeFileSync(join(stateDir, LAST_GOOD_FILE), `${JSON.stringify({ format: 1, revision: 1, jws, appliedAt: new Date().toISOString() })}\n`);
      const preload = label === 'withClientNode' ? ['--import', '@kubernetes/client-node'] : [];
      const args = [...preload, '--import', 'tsx', join(ROOT, 'agent/main.ts')];
      args.push('--control-plane-url', 'http://127.0.0.1:9', '--token-file', join(dir, 'token'), '--trust-root', join(dir, 'trust-root.json'));
      args.push('--tenant-id', issuer.identity.tenantId, '--cluster-id', issuer.identity.clusterId, '--node-name', NODE, '--state-dir', stateDir);
      args.push('--inventory', 'kubernetes', '--kubeconfig', join(dir, 'kubeconfig'), '--dataplane', 'dry-run', '--log-level', 'info');
      const agent = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      agent.stdout.on('data', (chunk) => {
        log += chunk;
      });
      agent.stderr.on('data', (chunk) => {
        log += chunk;
      });
      const started = performance.now();
      try {
        while (!log.includes('"msg":"bundle applied"')) {
          if (agent.exitCode !== null || performance.now() - started > 90_000) throw new Error(`the agent (${label}) did not apply:\n${log.slice(-2000)}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        return { label, rssMiB: statusMiB(agent.pid!, 'VmRSS'), peakRssMiB: statusMiB(agent.pid!, 'VmHWM'), load1: loadavg()[0] ?? 0 };
      } finally {
        agent.kill('SIGTERM');
        if (agent.exitCode === null) await new Promise((resolve) => agent.once('exit', resolve));
      }
    };
    const runs: Awaited<ReturnType<typeof run>>[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      for (const label of ['withClientNode', 'ownClient'] as const) {
        progress(`kube-inventory: round ${i + 1}/${ROUNDS}, ${label}`);
        runs.push(await run(label, i));
      }
    }
    const of = (label: string, field: 'rssMiB' | 'peakRssMiB') => median(runs.filter((r) => r.label === label).map((r) => r[field]));
    const json = {
      pods: PODS,
      agentRssMiB: round(of('ownClient', 'rssMiB')),
      agentPeakRssMiB: round(of('ownClient', 'peakRssMiB')),
      baselineWithClientNodeRssMiB: round(of('withClientNode', 'rssMiB')),
      ratio: Math.round((100 * of('ownClient', 'rssMiB')) / of('withClientNode', 'rssMiB')) / 100,
      load1: runs.map((r) => round(r.load1)),
    };
    const table = [
      `| agent, Kubernetes inventory of ${PODS} pods (median of ${ROUNDS}) | VmRSS MiB | VmHWM MiB |`,
      '| --- | --- | --- |',
      `| with @kubernetes/client-node preloaded (baseline) | ${json.baselineWithClientNodeRssMiB} | ${round(of('withClientNode', 'peakRssMiB'))} |`,
      `| as shipped (agent/inventory/kube-api) | ${json.agentRssMiB} | ${json.agentPeakRssMiB} |`,
      '',
      `ratio ${json.ratio}; 1-minute load average during the runs: ${json.load1.join(', ')}`,
      '',
    ].join('\n');
    if (options.json) {
      process.stderr.write(table);
      process.stdout.write(`${JSON.stringify(json)}\n`);
    } else process.stdout.write(table);
    return 0;
  } finally {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
