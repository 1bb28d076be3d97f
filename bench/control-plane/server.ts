// The control plane under test: `palisade serve` (all roles, the in-process queue) as its own process
// on a fresh database of the real Postgres (127.0.0.1:5432, or BENCH_POSTGRES_URL), so the bench's
// own load generation does not share its event loop and its CPU time can be read from /proc.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import postgres from 'postgres';
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
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/palisade.ts', 'serve'], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: databaseUrl.toString(),
      SIGNING_KEYS: JSON.stringify(await newKeyRing(new Date())),
      LOG_LEVEL: 'warn',
      DEMO_TENANT: 'false',
      // The bench is one tenant's load on purpose: it measures the server, not the rate limits.
      RATE_LIMIT_READS_PER_SECOND: '1000000',
      RATE_LIMIT_READS_BURST: '1000000',
      RATE_LIMIT_WRITES_PER_SECOND: '1000000',
      RATE_LIMIT_WRITES_BURST: '1000000',
      RATE_LIMIT_AGENT_PER_SECOND: '1000000',
      RATE_LIMIT_AGENT_BURST: '1000000',
      RATE_LIMIT_SIGNUPS_PER_HOUR: '1000000',
      RATE_LIMIT_SIGNUP_BURST: '1000000',
    },
    cwd: process.env.BENCH_SERVER_DIR ?? process.cwd(),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
  try {
    await untilHealthy(url, child);
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
    stop,
  };
}
