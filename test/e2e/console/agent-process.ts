// A real agent process for the console's journey: `agent/main.ts` with the dry-run dataplane, a file
// inventory and the token, tenant and cluster the console's Helm command names. It pulls and verifies
// bundles and reports its status and inventory as on a node.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AgentProcess {
  output: () => string;
  stop(): Promise<number | null>;
}

export async function startAgentProcess(options: {
  url: string;
  token: string;
  tenantId: string;
  clusterId: string;
  nodeName: string;
  inventory: unknown;
  dir: string;
}): Promise<AgentProcess> {
  mkdirSync(options.dir, { recursive: true });
  writeFileSync(join(options.dir, 'trust-root.json'), await (await fetch(`${options.url}/v1/trust-root`)).text());
  writeFileSync(join(options.dir, 'token'), `${options.token}\n`);
  writeFileSync(join(options.dir, 'inventory.json'), JSON.stringify(options.inventory));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('PALISADE_')) env[name] = value;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'agent/main.ts',
      `--control-plane-url=${options.url}`,
      `--token-file=${join(options.dir, 'token')}`,
      `--trust-root=${join(options.dir, 'trust-root.json')}`,
      `--tenant-id=${options.tenantId}`,
      `--cluster-id=${options.clusterId}`,
      `--node-name=${options.nodeName}`,
      `--state-dir=${join(options.dir, 'state')}`,
      `--inventory-file=${join(options.dir, 'inventory.json')}`,
      '--dataplane=dry-run',
      // Short long-polls and frequent status, so stopping is quick and the console sees changes soon.
      '--wait-seconds=5',
      '--status-interval-seconds=2',
      '--log-level=warn',
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
