// `palisade` commands as their own OS processes (node with tsx, not a wrapper, so a signal sent to the
// child reaches palisade itself), started with a given environment and waited for until they print
// the line that says they are up.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { RATE_LIMITS_LIFTED } from '../../bin/config.ts';

/** What `serve` prints once it listens (its URL captured) and what `worker` prints once it runs. */
export const SERVE_READY = /palisade listening on (http:\/\/[^\s]+)/;
export const WORKER_READY = /palisade worker running/;

/**
 * The settings every test's palisade processes share, beside the test's own database, keys and queue:
 * no rate limits, a quick outbox relay, quiet logs, any port, no demo tenant, files under `dataDir`.
 */
export function processSettings(dataDir: string): Record<string, string> {
  return {
    ...RATE_LIMITS_LIFTED,
    RELAY_POLL_MS: '250',
    LOG_LEVEL: 'warn',
    PORT: '0',
    DATA_DIR: dataDir,
    DEMO_TENANT: 'false',
    // Not the repository's console build: `serve` would otherwise (re)build it before listening.
    CONSOLE_DIR: join(dataDir, 'console'),
  };
}

export interface PalisadeProcess {
  child: ChildProcess;
  /** The first capture group of the ready line (the URL a serve process listens on), if any. */
  url: string | undefined;
}

/** Starts `palisade <args>` with `env` over this process's (without its DATABASE_URL and REDIS_URL). */
export function startPalisade(args: string[], env: Record<string, string>, ready: RegExp): Promise<PalisadeProcess> {
  const { DATABASE_URL: _database, REDIS_URL: _redis, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/palisade.ts', ...args], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise<PalisadeProcess>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`palisade ${args.join(' ')} did not start within 60 s; output:\n${output}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`palisade ${args.join(' ')} exited with ${code}; output:\n${output}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      const match = ready.exec(output);
      if (match) {
        clearTimeout(deadline);
        resolve({ child, url: match[1] });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  });
}

/** Ends the process with `signal` (SIGTERM: a clean stop; SIGKILL: a crash) and waits until it has exited. */
export async function stopPalisade(started: PalisadeProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const child = started?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
