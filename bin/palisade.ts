#!/usr/bin/env -S node --import tsx
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
// The palisade command. The server's own commands: `serve` runs the
// control plane (`--role api` for the HTTP API alone); `worker` runs the outbox relay, bundle builds and
// reissues without HTTP; `mint-key` makes a new owner key for the demo tenant; `signing-keys
// init|rotate|trust-root` manage the bundle signing keys. Every other command is the client
// (cli/main.ts: apply, diff, get, explain, flows, ...), which needs no server configuration.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { createTenant, mintOwnerKey } from '../api/services/tenants.ts';
import { runCliProcess } from '../cli/main.ts';
import { ensureConsoleBuilt } from '../console/build/build-console.ts';
import { surviveClosedSocketWrites } from '../db/closed-socket-guard.ts';
import { type Db, migrate, openDatabase, rowsOf } from '../db/index.ts';
import { newKeyRing, trustRootOf } from '../policy/bundle/index.ts';
import { openKeyRing, rotateKeyRingFile, writeKeyRing } from '../workers/signing/key-ring-store.ts';
import { compose } from './compose.ts';
import { ConfigError, type ControlPlaneConfig, configFromEnv } from './config.ts';
import { type ServingRole, startControlPlane } from './control-plane.ts';

const DEMO_TENANT_NAME = 'demo';
const DEMO_EMAIL = 'demo@palisade.local';
/** The repository root (or dist/ when compiled, where there are no console sources to build). */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);

async function demoTenantId(db: Db): Promise<string | undefined> {
  // As the owner: the tenants table is otherwise invisible without a tenant setting.
  const [row] = rowsOf<{ id: string }>(await db.execute(sql`select id from tenants where name = ${DEMO_TENANT_NAME} order by id limit 1`));
  return row?.id;
}

/**
 * A repeat this soon is the same Ctrl-C, not a second one: tsx relays a signal to its child again when
 * the child takes over 30 ms to acknowledge it, which a loaded machine easily does.
 */
const RELAYED_REPEAT_MS = 1_000;

/** Stops on SIGINT or SIGTERM (again to force), exiting 0 once `stop` has finished. */
function stopOnSignals(stop: () => Promise<void>) {
  let firstAt: number | undefined;
  const shutdown = (signal: string) => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < RELAYED_REPEAT_MS) return;
      process.exit(130);
    }
    firstAt = Date.now();
    say(`${signal}: shutting down (again to force)`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

function roleOf(args: readonly string[]): ServingRole {
  const flag = args.find((arg) => arg.startsWith('--role'));
  if (flag === undefined) return 'all';
  const role = flag.includes('=') ? flag.slice('--role='.length) : args[args.indexOf(flag) + 1];
  if (role === 'all' || role === 'api') return role;
  throw new ConfigError(`serve --role takes all or api, not ${role}; the worker role is \`palisade worker\``);
}

/**
 * Builds the console when its build is missing or older than its sources, so `npm ci && npm start`
 * serves a working console. A failed build is reported and the API still starts.
 */
async function buildConsoleIfStale(config: ControlPlaneConfig) {
  if (config.consoleDir !== join(ROOT, 'console', 'dist')) return;
  const result = await ensureConsoleBuilt(ROOT, say);
  if (!result.ok) say(`console: not built [${result.code}] ${result.message}; the API runs without it`);
}

async function serveCommand(config: ControlPlaneConfig, role: ServingRole) {
  await buildConsoleIfStale(config);
  const plane = await startControlPlane(config, { role });
  surviveClosedSocketWrites(plane.logger);
  let consoleAnnounced = false;
  if (config.demoTenant && role === 'all') {
    if (await demoTenantId(plane.database.db)) {
      say('Demo tenant exists. To mint a new API key for it: stop the server, then run `npm run mint-key`.');
    } else {
      // A generated password, printed once like the key: 96 random bits, base64url (16 characters).
      const password = randomBytes(12).toString('base64url');
      const demo = await createTenant(plane.database.db, { tenantName: DEMO_TENANT_NAME, email: DEMO_EMAIL, plan: 'team', password });
      say(`API key: ${demo.secret}`);
      say(`Console: ${plane.url}/`);
      say(`Sign in: ${DEMO_EMAIL} / ${password}`);
      consoleAnnounced = true;
    }
  }
  say(`palisade listening on ${plane.url} (API reference: ${plane.url}/docs, OpenAPI: ${plane.url}/openapi.json)`);
  // Every later start says where the console is too, when there is a build to serve.
  if (!consoleAnnounced && config.consoleDir && existsSync(join(config.consoleDir, 'index.html'))) say(`Console: ${plane.url}/`);
  stopOnSignals(plane.stop);
}

async function workerCommand(config: ControlPlaneConfig) {
  const worker = await compose(config, 'worker');
  surviveClosedSocketWrites(worker.logger);
  say(`palisade worker running: outbox relay, bundle builds (${config.redisUrl ? 'BullMQ' : 'in-process queue'}) and reissues`);
  stopOnSignals(worker.close);
}

async function mintKeyCommand(config: ControlPlaneConfig) {
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : `${config.dataDir}/pglite` });
  try {
    await migrate(database.db);
    const tenantId = await demoTenantId(database.db);
    if (!tenantId) throw new Error('no demo tenant yet: run `npm start` once first');
    say(`API key: ${await mintOwnerKey(database.db, tenantId, `cli key ${new Date().toISOString()}`)}`);
  } finally {
    await database.close();
  }
}

async function signingKeysCommand(config: ControlPlaneConfig, action: string | undefined) {
  const file = config.signingKeysFile;
  if (!file) throw new Error('set SIGNING_KEYS_FILE to the key ring file');
  const now = new Date();
  if (action === 'init') {
    if (existsSync(file)) throw new Error(`${file} exists; use \`signing-keys rotate\` to add a key`);
    writeKeyRing(file, await newKeyRing(now));
    say(`key ring written to ${file}`);
  } else if (action === 'rotate') {
    const ring = await rotateKeyRingFile(file, now, config.bundleTtlMs);
    say(`active key is now ${ring.active}; the previous key stays trusted for ${config.bundleTtlMs / 3_600_000} h`);
  } else if (action === 'trust-root') {
    const ring = (await openKeyRing({ file, createIfMissing: false, now: () => now }))();
    say(JSON.stringify(trustRootOf(ring, now), null, 2));
  } else {
    throw new Error('usage: palisade signing-keys init|rotate|trust-root');
  }
}

const SERVER_COMMANDS = ['serve', 'worker', 'mint-key', 'signing-keys'];

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command === undefined || !SERVER_COMMANDS.includes(command)) return runCliProcess(process.argv.slice(2));
  const config = configFromEnv();
  if (command === 'serve') return serveCommand(config, roleOf(rest));
  if (command === 'worker') return workerCommand(config);
  if (command === 'mint-key') return mintKeyCommand(config);
  return signingKeysCommand(config, rest[0]);
}

main().catch((error: unknown) => {
  const code = (error as { code?: string }).code;
  console.error(`palisade: ${code ? `[${code}] ` : ''}${(error as Error).message}`);
  process.exit(1);
});
