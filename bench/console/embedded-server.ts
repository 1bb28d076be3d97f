// The control plane as `npm start` runs it, for the console bench: `palisade serve` in its own process
// on a fresh embedded (PGlite) data directory, on a free port, building the console first when stale.
import { type ChildProcess, spawn } from 'node:child_process';

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedServer(dataDir: string): Promise<EmbeddedServer> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^(DATABASE_URL|REDIS_URL|SIGNING_KEYS|PORT)$/.test(name)) env[name] = value;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bin/palisade.ts', 'serve'], {
    env: {
      ...env,
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'warn',
      DEMO_TENANT: 'false',
      RATE_LIMIT_AGENT_PER_SECOND: '100000',
      RATE_LIMIT_AGENT_BURST: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`the control plane did not start within 300 s:\n${output}`)), 300_000);
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(deadline);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`the control plane exited with ${code}:\n${output}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
