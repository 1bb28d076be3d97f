#!/usr/bin/env -S node --import tsx
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
// The palisade command. The server's own commands: `serve` runs the
// control plane (`--role api` for the HTTP API alone, `--role delivery` for the agents' endpoints
// alone; PALISADE_ROLE when there is no flag); `worker` runs the outbox relay, bundle builds and
// reissues without HTTP; `migrate` applies pending migrations and exits (the deploy's one-off task);
// `mint-key` makes a new owner key for the demo tenant; `signing-keys init|rotate|trust-root` manage
// the bundle signing keys (in SIGNING_KEYS_SECRET_ARN's secret, or SIGNING_KEYS_FILE). Every other
// command is the client (cli/main.ts: apply, diff, get, explain, flows, ...), which needs no server
// configuration.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { createTenant, mintOwnerKey } from '../api/services/tenants.ts';
import { runCliProcess } from '../cli/main.ts';
import { ensureConsoleBuilt } from '../console/build/build-console.ts';
import { surviveClosedSocketWrites } from '../db/closed-socket-guard.ts';
import { type Db, MIGRATION_TAGS, migrate, rowsOf } from '../db/index.ts';
import { keyRingSchema, newKeyRing, trustRootOf } from '../policy/bundle/index.ts';
import { keyRingSecret } from '../workers/signing/key-ring-secret.ts';
import { type KeyRingStore, keyRingFile, parseRing, rotateStoredKeyRing } from '../workers/signing/key-ring-store.ts';
import { compose, openConfiguredDatabase } from './compose.ts';
import { ConfigError, type ControlPlaneConfig, configFromEnv } from './config.ts';
import { type ServingRole, startControlPlane } from './control-plane.ts';
import { isServerCommand } from './server-commands.ts';

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

const SERVING_ROLES: readonly string[] = ['all', 'api', 'delivery'] satisfies ServingRole[];

/** `--role` when given, else PALISADE_ROLE, else all; `worker` is its own command, so serve refuses it. */
function roleOf(args: readonly string[], config: ControlPlaneConfig): ServingRole {
  const flag = args.find((arg) => arg.startsWith('--role'));
  const role = flag === undefined ? (config.role ?? 'all') : flag.includes('=') ? flag.slice('--role='.length) : args[args.indexOf(flag) + 1];
  if (SERVING_ROLES.includes(role ?? '')) return role as ServingRole;
  const source = flag === undefined ? 'PALISADE_ROLE' : 'serve --role';
  throw new ConfigError(`${source} for serve takes all, api or delivery, not ${role}; the worker role runs as \`palisade worker\``);
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
  if (config.role !== undefined && config.role !== 'worker') {
    throw new ConfigError(
      `PALISADE_ROLE=${config.role} is a serving role: run \`palisade serve\`, or set PALISADE_ROLE=worker (or leave it unset) for \`palisade worker\``,
    );
  }
  const worker = await compose(config, 'worker');
  surviveClosedSocketWrites(worker.logger);
  say(`palisade worker running: outbox relay, bundle builds (${config.redisUrl ? 'BullMQ' : 'in-process queue'}) and reissues`);
  stopOnSignals(worker.close);
}

/** The deploy's one-off task: pending migrations under the advisory lock (db/migrate.ts), then exit 0. */
async function migrateCommand(config: ControlPlaneConfig) {
  const database = await openConfiguredDatabase(config, 1);
  try {
    const applied = await migrate(database.db);
    const known = MIGRATION_TAGS.length;
    say(
      applied.length === 0
        ? `schema current: all ${known} migrations applied before`
        : `applied ${applied.length} of ${known} migrations: ${applied.join(', ')}`,
    );
  } finally {
    await database.close();
  }
}

async function mintKeyCommand(config: ControlPlaneConfig) {
  const database = await openConfiguredDatabase(config, 1);
  try {
    await migrate(database.db);
    const tenantId = await demoTenantId(database.db);
    if (!tenantId) throw new Error('no demo tenant yet: run `npm start` once first');
    say(`API key: ${await mintOwnerKey(database.db, tenantId, `cli key ${new Date().toISOString()}`)}`);
  } finally {
    await database.close();
  }
}

/** Where `signing-keys` works: the secret when SIGNING_KEYS_SECRET_ARN is set, else the file. */
function keyRingStoreOf(config: ControlPlaneConfig): KeyRingStore {
  if (config.signingKeysSecretArn) return keyRingSecret(config.signingKeysSecretArn, config.aws);
  if (config.signingKeysFile) return keyRingFile(config.signingKeysFile);
  throw new ConfigError('set SIGNING_KEYS_SECRET_ARN (a Secrets Manager secret) or SIGNING_KEYS_FILE to where the key ring is kept');
}

/**
 * Whether the store already holds a key ring (a new secret holds a placeholder; a new file does not
 * exist). Only a missing file counts as empty: any other failure to read stops `init`, which must never
 * overwrite a ring it could not see, nor a file that holds something else.
 */
async function holdsKeyRing(store: KeyRingStore): Promise<boolean> {
  const text = await store.read().catch((error: unknown) => {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return false;
  if (keyRingSchema.safeParse(parsedJson(text)).success) return true;
  if (store.replacesNonRing) return false;
  throw new ConfigError(`${store.where} exists and holds no key ring; move it away or set SIGNING_KEYS_FILE to a new path`);
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function signingKeysCommand(config: ControlPlaneConfig, action: string | undefined) {
  const store = keyRingStoreOf(config);
  const now = new Date();
  if (action === 'init') {
    if (await holdsKeyRing(store)) throw new Error(`${store.where} holds a key ring; use \`signing-keys rotate\` to add a key`);
    await store.write(await newKeyRing(now));
    say(`key ring written to ${store.where}`);
  } else if (action === 'rotate') {
    const ring = await rotateStoredKeyRing(store, now, config.bundleTtlMs);
    say(`active key is now ${ring.active} in ${store.where}; the previous key stays trusted for ${config.bundleTtlMs / 3_600_000} h`);
  } else if (action === 'trust-root') {
    say(JSON.stringify(trustRootOf(parseRing(await store.read(), store.where), now), null, 2));
  } else {
    throw new Error('usage: palisade signing-keys init|rotate|trust-root');
  }
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (!isServerCommand(command)) return runCliProcess(process.argv.slice(2));
  const config = configFromEnv();
  if (command === 'serve') return serveCommand(config, roleOf(rest, config));
  if (command === 'worker') return workerCommand(config);
  if (command === 'migrate') return migrateCommand(config);
  if (command === 'mint-key') return mintKeyCommand(config);
  return signingKeysCommand(config, rest[0]);
}

main().catch((error: unknown) => {
  const code = (error as { code?: string }).code;
  console.error(`palisade: ${code ? `[${code}] ` : ''}${(error as Error).message}`);
  process.exit(1);
});
