// Configuration from the environment, validated once at start-up; a bad value stops the process with
// the variable's name and what it should be.
import { resolve } from 'node:path';
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  DATA_DIR: z.string().default('.data'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  SIGNING_KEYS: z.string().optional(),
  SIGNING_KEYS_FILE: z.string().optional(),
  BUNDLE_TTL_HOURS: positiveInt.default(168),
  LONG_POLL_MAX_SECONDS: positiveInt.max(900).default(60),
  MAX_BODY_BYTES: positiveInt.default(1024 * 1024),
  RELAY_POLL_MS: positiveInt.default(1_000),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** Create a demo tenant on first start; defaults to on for the embedded database only. */
  DEMO_TENANT: z.enum(['true', 'false']).optional(),
});

export interface ControlPlaneConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string | undefined;
  signingKeysJson: string | undefined;
  signingKeysFile: string | undefined;
  bundleTtlMs: number;
  longPollMaxMs: number;
  maxBodyBytes: number;
  relayPollMs: number;
  logLevel: string;
  demoTenant: boolean;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ControlPlaneConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  const embedded = e.DATABASE_URL === undefined;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    redisUrl: e.REDIS_URL,
    signingKeysJson: e.SIGNING_KEYS,
    // The embedded default keeps its keys beside its data; production must say where they are.
    signingKeysFile: e.SIGNING_KEYS_FILE ?? (embedded ? resolve(dataDir, 'signing-keys.json') : undefined),
    bundleTtlMs: e.BUNDLE_TTL_HOURS * 3_600_000,
    longPollMaxMs: e.LONG_POLL_MAX_SECONDS * 1_000,
    maxBodyBytes: e.MAX_BODY_BYTES,
    relayPollMs: e.RELAY_POLL_MS,
    logLevel: e.LOG_LEVEL,
    demoTenant: e.DEMO_TENANT === undefined ? embedded : e.DEMO_TENANT === 'true',
  };
}
