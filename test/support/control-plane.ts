// Starts the real control plane in-process for a test: real Postgres (a fresh database) or embedded
// PGlite (a temp dir), a generated key ring, an ephemeral port, and silent logs unless the test
// passes its own logger; all roles in one process unless the test asks for the API alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { configFromEnv, RATE_LIMITS_LIFTED } from '../../bin/config.ts';
import { type ControlPlane, type ServingRole, startControlPlane } from '../../bin/control-plane.ts';
import { type KeyRing, newKeyRing } from '../../policy/bundle/index.ts';
import { createTestDatabase } from './postgres.ts';

export type DatabaseFlavour = 'postgres' | 'pglite';

export interface TestControlPlane<R extends ServingRole = 'all'> {
  plane: ControlPlane<R>;
  url: string;
  keyRing: KeyRing;
  /** The test database's URL, for another process sharing it; undefined on PGlite. */
  databaseUrl: string | undefined;
  stop(): Promise<void>;
}

export async function startTestControlPlane<R extends ServingRole = 'all'>(
  flavour: DatabaseFlavour,
  env: Record<string, string> = {},
  options: {
    keyRing?: KeyRing;
    queuePrefix?: string;
    role?: R;
    logger?: Logger;
    /** A Postgres the test owns (a private instance), used as is instead of a fresh database on the shared one. */
    databaseUrl?: string;
    /** The control plane's clock, for tests that step time (flow caps per minute). */
    clock?: () => Date;
  } = {},
): Promise<TestControlPlane<R>> {
  const keyRing = options.keyRing ?? (await newKeyRing(new Date()));
  const dataDir = mkdtempSync(join(tmpdir(), 'palisade-test-'));
  const database = flavour === 'postgres' && options.databaseUrl === undefined ? await createTestDatabase() : undefined;
  const databaseUrl = options.databaseUrl ?? database?.url;
  const config = configFromEnv({
    PORT: '0',
    DATA_DIR: dataDir,
    SIGNING_KEYS: JSON.stringify(keyRing),
    RELAY_POLL_MS: '250',
    LOG_LEVEL: 'silent',
    DEMO_TENANT: 'false',
    // Suites sign up many tenants from one address and write in tight loops; the fairness tests set
    // the limits they exercise.
    ...RATE_LIMITS_LIFTED,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(options.queuePrefix ? { QUEUE_PREFIX: options.queuePrefix } : {}),
    ...env,
  });
  const plane = await startControlPlane<R>(config, {
    logger: options.logger ?? pino({ level: 'silent' }),
    ...(options.role && { role: options.role }),
    ...(options.clock && { clock: options.clock }),
  });
  return {
    plane,
    url: plane.url,
    keyRing,
    databaseUrl,
    async stop() {
      await plane.stop();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
