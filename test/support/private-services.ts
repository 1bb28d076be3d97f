// Private Postgres and Redis instances for fault tests: each on a free port with its own data, so a
// test can stop and restart its instance without touching the machine's shared ones (5432, 6379)
// that other test files use at the same time. A missing binary fails the test with its name.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const POSTGRES_BIN = process.env.TEST_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
const REDIS_SERVER = process.env.TEST_REDIS_SERVER ?? 'redis-server';

function requireBinary(path: string, hint: string): void {
  if (path.includes('/') ? existsSync(path) : whichExists(path)) return;
  throw new Error(`fault tests need ${path} (${hint}); it is missing`);
}

function whichExists(name: string): boolean {
  try {
    execFileSync('which', [name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A port nobody listens on now (the OS picks it, then it is released for the service). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port assigned');
  return address.port;
}

/** Resolves once something accepts TCP connections on the port. */
async function waitForPort(port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not listen on port ${port} within ${timeoutMs} ms`);
}

export interface PrivatePostgres {
  /** The superuser URL of the instance's `postgres` database. */
  url: string;
  port: number;
  /** Stops the server (fast shutdown: open connections are dropped, as in a real restart). */
  stop(): void;
  start(): Promise<void>;
  /** Stops it for good and deletes its data. */
  destroy(): void;
}

/** initdb refuses root, so the instance runs as the `postgres` user, as the Debian package does. */
function asPostgres(args: string[]): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...args] : args;
}

function run(command: string[]): void {
  execFileSync(command[0]!, command.slice(1), { stdio: 'pipe' });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const initdb = join(POSTGRES_BIN, 'initdb');
  const pgCtl = join(POSTGRES_BIN, 'pg_ctl');
  requireBinary(initdb, 'the PostgreSQL 15 server package, or TEST_POSTGRES_BIN');
  requireBinary(pgCtl, 'the PostgreSQL 15 server package, or TEST_POSTGRES_BIN');
  const root = mkdtempSync(join(tmpdir(), 'palisade-pg-'));
  chmodSync(root, 0o777);
  const dataDir = join(root, 'data');
  const port = await freePort();
  run(asPostgres([initdb, '-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync']));
  const ctl = (...args: string[]) => run(asPostgres([pgCtl, '-D', dataDir, ...args]));
  const start = async () => {
    ctl('-o', `-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', join(root, 'log'), '-w', 'start');
    await waitForPort(port, 10_000, 'private Postgres');
  };
  await start();
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop() {
      ctl('-m', 'fast', '-w', 'stop');
      stopped = true;
    },
    async start() {
      await start();
      stopped = false;
    },
    destroy() {
      if (!stopped) ctl('-m', 'immediate', '-w', 'stop');
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Kills the server; what it held is gone (no persistence), as after a crash. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  requireBinary(REDIS_SERVER, 'the redis-server package, or TEST_REDIS_SERVER');
  const port = await freePort();
  let server: ChildProcess | undefined;
  const start = async () => {
    server = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitForPort(port, 10_000, 'private Redis');
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      const running = server;
      server = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
    start,
  };
}
