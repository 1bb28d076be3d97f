// The control plane under test, in its production shape: `palisade serve --role api` and `palisade
// worker` (the relay and the bundle builds, on its in-process queue) as two processes of their own on a
// fresh database of the real Postgres (127.0.0.1:5432, or BENCH_POSTGRES_URL), so neither the bench's
// load generation nor a 1.6 MB bundle build shares the API's event loop, and the API's CPU time can be
// read from /proc (and, with BENCH_API_CPU_PROF_DIR=<dir> or BENCH_WORKER_CPU_PROF_DIR=<dir>, the API's or
// the worker's CPU profile written there as it stops).
// With `database: 'pglite'`, the embedded database's shape instead: one `palisade serve` process (role
// all: PGlite serves one process) over a fresh data directory.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { RATE_LIMITS_LIFTED } from '../../bin/config.ts';
import type { DatabaseOptions } from '../../db/index.ts';
import { newKeyRing } from '../../policy/bundle/index.ts';
import { statusMiB } from '../process-status.ts';

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Linux reports process CPU time in clock ticks of 1/100 s. */
const TICKS_PER_SECOND = 100;

export type BenchDatabase = 'postgres' | 'pglite';

export interface BenchServer {
  url: string;
  database: BenchDatabase;
  /**
   * Its database, for benches that read or drive what the server stores. An embedded one serves a
   * single process: open it only after halt().
   */
  databaseOptions: DatabaseOptions;
  /** User plus system CPU seconds the server process has used so far. */
  cpuSeconds(): number;
  /** The same for the worker process (bundle builds); 0 on the embedded database, which runs none. */
  workerCpuSeconds(): number;
  /** The API process's resident memory now and its peak (VmRSS, VmHWM) in MiB. */
  memoryMiB(): { rss: number; peak: number };
  /** Starts the peak over from the current resident memory. */
  resetPeakMemory(): void;
  /** Long-polls parked in the server now, from its own gauge (GET /metrics). */
  parkedWaiters(): Promise<number>;
  /** Stops the processes and keeps the data. */
  halt(): Promise<void>;
  /** Stops the processes and removes the data. */
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
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

interface FreshDatabase {
  /** What the control plane's processes are told. */
  env: Record<string, string>;
  options: DatabaseOptions;
  remove(): Promise<void>;
}

/** A new database on the shared Postgres, or an empty data directory for PGlite. */
async function freshDatabase(database: BenchDatabase): Promise<FreshDatabase> {
  if (database === 'pglite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'palisade-bench-'));
    return { env: { DATA_DIR: dataDir }, options: { dataDir: join(dataDir, 'pglite') }, remove: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `palisade_bench_${randomBytes(6).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    options: { url: url.toString() },
    async remove() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** User plus system CPU seconds a process has used so far. */
function cpuSecondsOf(pid: number): number {
  // Fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * `rateLimits: 'shipped'` keeps the per-tenant rate limits a deployment runs with; otherwise they are
 * lifted, and the bench measures the server rather than the limits.
 */
export async function startBenchServer(database: BenchDatabase = 'postgres', options: { rateLimits?: 'lifted' | 'shipped' } = {}): Promise<BenchServer> {
  const fresh = await freshDatabase(database);
  const port = await freePort();
  const metricsPort = await freePort();
  const { REDIS_URL: _sharedRedis, DATABASE_URL: _sharedDatabase, ...inherited } = process.env;
  const env = {
    // The worker builds on its in-process queue: the bench never touches a shared Redis.
    ...inherited,
    ...fresh.env,
    PORT: String(port),
    SIGNING_KEYS: JSON.stringify(await newKeyRing(new Date())),
    LOG_LEVEL: 'warn',
    DEMO_TENANT: 'false',
    // The bench is one tenant's load on purpose: it measures the server, not the rate limits.
    ...(options.rateLimits === 'shipped' ? {} : RATE_LIMITS_LIFTED),
  };
  const start = (command: string[], own: Record<string, string> = {}, nodeOptions: string[] = []) =>
    spawn(process.execPath, [...nodeOptions, '--import', 'tsx', 'bin/palisade.ts', ...command], {
      env: { ...env, ...own },
      cwd: process.env.BENCH_SERVER_DIR ?? process.cwd(),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  // The API's metrics carry its parked long-polls; the worker serves none.
  // BENCH_API_CPU_PROF_DIR, BENCH_WORKER_CPU_PROF_DIR: that process writes a CPU profile there when it stops (node --cpu-prof).
  const profile = (dir: string | undefined) => (dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []);
  const child = start(
    ['serve', '--role', database === 'pglite' ? 'all' : 'api'],
    { METRICS_PORT: String(metricsPort) },
    profile(process.env.BENCH_API_CPU_PROF_DIR),
  );
  const childExited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The API applies the migrations at start; the worker starts once it answers.
  let worker: ChildProcess | undefined;
  let workerExited: Promise<void> = Promise.resolve();
  const url = `http://127.0.0.1:${port}`;
  const halt = async () => {
    child.kill('SIGTERM');
    worker?.kill('SIGTERM');
    await Promise.all([childExited, workerExited]);
  };
  const stop = async () => {
    await halt();
    await fresh.remove();
  };
  try {
    await untilHealthy(url, child);
    if (database === 'postgres') {
      const started = start(['worker'], {}, profile(process.env.BENCH_WORKER_CPU_PROF_DIR));
      worker = started;
      workerExited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    database,
    databaseOptions: fresh.options,
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    workerCpuSeconds: () => (worker?.pid === undefined ? 0 : cpuSecondsOf(worker.pid)),
    memoryMiB() {
      return { rss: Math.round(statusMiB(child.pid!, 'VmRSS')), peak: Math.round(statusMiB(child.pid!, 'VmHWM')) };
    },
    resetPeakMemory() {
      // proc(5): writing 5 to clear_refs resets the peak resident set size (VmHWM) to the current one.
      writeFileSync(`/proc/${child.pid}/clear_refs`, '5');
    },
    async parkedWaiters() {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return Number(/^palisade_long_poll_waiters (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
    },
    halt,
    stop,
  };
}
