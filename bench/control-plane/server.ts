// The control plane under test, in its production shape: `palisade serve --role api` and `palisade
// worker` (the relay and the bundle builds, on its in-process queue) as two processes of their own on a
// fresh database of the real Postgres (127.0.0.1:5432, or BENCH_POSTGRES_URL), so neither the bench's
// load generation nor a 1.6 MB bundle build shares the API's event loop, and the API's CPU time can be
// read from /proc.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import postgres from 'postgres';
import { RATE_LIMITS_LIFTED } from '../../bin/config.ts';
import { newKeyRing } from '../../policy/bundle/index.ts';

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Linux reports process CPU time in clock ticks of 1/100 s. */
const TICKS_PER_SECOND = 100;

export interface BenchServer {
  url: string;
  /** Its database, for benches that read or drive what the server stores. */
  databaseUrl: string;
  /** User plus system CPU seconds the server process has used so far. */
  cpuSeconds(): number;
  /** Long-polls parked in the server now, from its own gauge (GET /metrics). */
  parkedWaiters(): Promise<number>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function untilHealthy(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the control plane exited with ${child.exitCode}`);
    const healthy = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the control plane did not answer /healthz within 60 s');
}

export async function startBenchServer(): Promise<BenchServer> {
  const name = `palisade_bench_${randomBytes(6).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const databaseUrl = new URL(ADMIN_URL);
  databaseUrl.pathname = `/${name}`;
  const port = await freePort();
  const metricsPort = await freePort();
  const { REDIS_URL: _sharedRedis, ...inherited } = process.env;
  const env = {
    // The worker builds on its in-process queue: the bench never touches a shared Redis.
    ...inherited,
    PORT: String(port),
    DATABASE_URL: databaseUrl.toString(),
    SIGNING_KEYS: JSON.stringify(await newKeyRing(new Date())),
    LOG_LEVEL: 'warn',
    DEMO_TENANT: 'false',
    // The bench is one tenant's load on purpose: it measures the server, not the rate limits.
    ...RATE_LIMITS_LIFTED,
  };
  const start = (command: string[], own: Record<string, string> = {}) =>
    spawn(process.execPath, ['--import', 'tsx', 'bin/palisade.ts', ...command], {
      env: { ...env, ...own },
      cwd: process.env.BENCH_SERVER_DIR ?? process.cwd(),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  // The API's metrics carry its parked long-polls; the worker serves none.
  const child = start(['serve', '--role', 'api'], { METRICS_PORT: String(metricsPort) });
  const childExited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The API applies the migrations at start; the worker starts once it answers.
  let worker: ChildProcess | undefined;
  let workerExited: Promise<void> = Promise.resolve();
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    worker?.kill('SIGTERM');
    await Promise.all([childExited, workerExited]);
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
  try {
    await untilHealthy(url, child);
    const started = start(['worker']);
    worker = started;
    workerExited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    databaseUrl: databaseUrl.toString(),
    cpuSeconds() {
      // Fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    },
    async parkedWaiters() {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return Number(/^palisade_long_poll_waiters (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
    },
    stop,
  };
}
