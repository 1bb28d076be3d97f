// Configuration from the environment, validated once at start-up: the one place the control plane
// reads environment variables. A bad value stops the process with the variable's name and what it
// should be. The Lambda entry reads the same variables with defaults of its own.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { FairnessConfig } from '../api/env.ts';
import packageJson from '../package.json' with { type: 'json' };

const positiveInt = z.coerce.number().int().positive();

const flag = z.enum(['true', 'false']);

/** Which parts a process runs; the roles compose.ts builds (infra/aws/lib/runtime-environment.ts sets it per process). */
export const PROCESS_ROLES = ['all', 'api', 'delivery', 'worker'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

const envSchema = z.object({
  /** `serve`'s role unless `--role` says otherwise; `worker` belongs to `palisade worker` (bin/palisade.ts refuses a mismatch). */
  PALISADE_ROLE: z.enum(PROCESS_ROLES).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  /** Prometheus metrics on their own listener (same HOST, GET /metrics); unset = off, `0` picks a free port. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /**
   * Connect with an RDS IAM auth token (made for each new connection: a token lives 15 minutes) as the
   * password, for the user, host and port of DATABASE_URL, in AWS_REGION. RDS Proxy then requires TLS:
   * unless DATABASE_URL sets sslmode, the connection verifies the proxy's certificate (verify-full).
   */
  DATABASE_IAM_AUTH: flag.default('false'),
  /** Apply pending migrations at start; unset, on for servers and off on Lambda (the deploy runs `palisade migrate`). */
  MIGRATE_ON_START: flag.optional(),
  /**
   * Named prepared statements (db/prepared-statements.ts); unset, on for servers and off on Lambda.
   * Turn off behind RDS Proxy (it pins every client that prepares) or a transaction-mode pooler older
   * than PgBouncer 1.21.
   */
  DATABASE_PREPARED_STATEMENTS: flag.optional(),
  /** Connections per process; unset, the runtime's default. */
  DATABASE_POOL_SIZE: positiveInt.max(1000).optional(),
  DATA_DIR: z.string().default('.data'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** BullMQ key prefix: processes that share it share the build queue. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[\w-]+$/, 'must be letters, digits, "_" and "-"')
    .default('palisade'),
  SIGNING_KEYS: z.string().optional(),
  SIGNING_KEYS_FILE: z.string().optional(),
  /** The key ring as a Secrets Manager secret: read at start, re-read every SIGNING_KEYS_REFRESH_SECONDS, rotated in place. */
  SIGNING_KEYS_SECRET_ARN: z
    .string()
    .regex(/^arn:aws(-cn|-us-gov)?:secretsmanager:[\w-]+:\d{12}:secret:\S+$/, 'must be a Secrets Manager secret ARN')
    .optional(),
  /** How stale a process's copy of the secret may get; a rotation keeps the previous key trusted for a bundle lifetime, far longer. */
  SIGNING_KEYS_REFRESH_SECONDS: positiveInt.default(300),
  BUNDLE_TTL_HOURS: positiveInt.default(168),
  /** Unset, the runtime's default. */
  LONG_POLL_MAX_SECONDS: positiveInt.max(900).optional(),
  MAX_BODY_BYTES: positiveInt.default(1024 * 1024),
  /**
   * Per tenant, in this process (api/middleware/token-buckets.ts): a console page load or a CLI
   * apply issues tens of reads at once, a CI pipeline a burst of writes; sustained, 100 reads and 20
   * writes a second per tenant keep one tenant's load from moving another's latency.
   */
  RATE_LIMIT_READS_PER_SECOND: positiveInt.default(100),
  RATE_LIMIT_READS_BURST: positiveInt.default(200),
  RATE_LIMIT_WRITES_PER_SECOND: positiveInt.default(20),
  RATE_LIMIT_WRITES_BURST: positiveInt.default(50),
  /**
   * Per agent token. A token is shared by every node of its cluster (the Helm chart's one Secret), and
   * each node reports status and flows every few seconds: 500 a second serves a 5,000-node cluster.
   */
  RATE_LIMIT_AGENT_PER_SECOND: positiveInt.default(500),
  RATE_LIMIT_AGENT_BURST: positiveInt.default(1_000),
  /** Sign-ups per client network (an IPv4 address, an IPv6 /64): a few, then one every 6 minutes. */
  RATE_LIMIT_SIGNUPS_PER_HOUR: positiveInt.default(10),
  RATE_LIMIT_SIGNUP_BURST: positiveInt.default(5),
  /**
   * Sign-ins (and invite acceptances) per client network: a person mistyping a few times, then one
   * every 6 s; per email, 30 an hour after a burst of 10, so spreading guesses over addresses
   * gains nothing. Each attempt costs a scrypt hash, which these also bound.
   */
  RATE_LIMIT_SIGN_INS_PER_MINUTE: positiveInt.default(10),
  RATE_LIMIT_SIGN_IN_BURST: positiveInt.default(10),
  RATE_LIMIT_SIGN_INS_PER_EMAIL_PER_HOUR: positiveInt.default(30),
  RATE_LIMIT_SIGN_IN_EMAIL_BURST: positiveInt.default(10),
  /**
   * A rate limit's 429 is held this long (at most its Retry-After) before it is sent, so a client that
   * retries at once gets one answer a second per connection instead of thousands; unset, 1,000 on a
   * server and 0 on Lambda, which bills the wait (API Gateway's throttling stands in front there).
   */
  RATE_LIMIT_REFUSAL_HOLD_MS: z.coerce.number().int().min(0).max(10_000).optional(),
  /** Proxies in front of the server that append to X-Forwarded-For; 0 believes only the socket. */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * Bundle long-polls held at once. One token serves a whole cluster: Kubernetes supports 5,000 nodes,
   * each holding one poll, doubled for the reconnect overlap when an agent restarts before the server
   * sees its old connection close. Per tenant, two such clusters; parked polls cost a socket and a
   * timer each (no query), so 20,000 are cheap on one delivery instance.
   */
  LONG_POLL_MAX_PER_TOKEN: positiveInt.default(10_000),
  LONG_POLL_MAX_PER_TENANT: positiveInt.default(20_000),
  /**
   * Per tenant, in this process: API requests running at once (unset, half the database pool, so
   * one tenant never holds every connection) and waiting for a turn (a console page load's reads, a
   * CI apply's burst); past both, 429.
   */
  TENANT_CONCURRENT_REQUESTS: positiveInt.max(1000).optional(),
  TENANT_QUEUED_REQUESTS: z.coerce.number().int().min(0).max(100_000).default(200),
  /** Live flow tails (server-sent events) open at once per tenant: a team's consoles, each a few tabs. */
  FLOW_STREAMS_PER_TENANT: positiveInt.default(20),
  RELAY_POLL_MS: positiveInt.default(1_000),
  /** One endpoint for STS, EKS and Secrets Manager instead of AWS's own: a local stack, or the tests' stand-in. */
  AWS_ENDPOINT_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** Base credentials for EKS onboarding; unset, the AWS SDK's provider chain (instance role, SSO, ...). */
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** The region of RDS IAM tokens and Secrets Manager (Lambda and ECS set it). */
  AWS_REGION: z.string().min(1).optional(),
  /** Palisade's own AWS principal, the one tenants' role trust policies name. */
  PALISADE_AWS_PRINCIPAL: z
    .string()
    .regex(/^arn:aws(-cn|-us-gov)?:(iam|sts)::\d{12}:\S+$/, 'must be an IAM principal ARN, such as arn:aws:iam::123456789012:root')
    .optional(),
  /** The first wait before onboarding runs again after throttling; it doubles on each attempt. */
  ONBOARDING_RETRY_BASE_MS: positiveInt.default(5_000),
  /** The control plane's URL as agents in tenants' clusters reach it: what EKS onboarding installs them with. */
  AGENT_CONTROL_PLANE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://api.palisade.example'),
  /** The agent image EKS onboarding installs (infra/docker/Dockerfile's `agent` target), as the Helm chart's default. */
  AGENT_IMAGE: z.string().min(1).default('ghcr.io/palisade/palisade-agent:0.1.0'),
  /** Worker only: publish QueueDepth and OutboxLagSeconds to this CloudWatch namespace (Embedded Metric Format on stdout). */
  PALISADE_CLOUDWATCH_NAMESPACE: z
    .string()
    .regex(/^[\w.\-/#:]{1,255}$/, 'must be a CloudWatch namespace (letters, digits and . - _ / # :)')
    .optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** Create a demo tenant on first start; defaults to on for the embedded database only. */
  DEMO_TENANT: z.enum(['true', 'false']).optional(),
  /**
   * The console's build (index.html and assets/) served at `/`; by default console/dist beside the
   * sources (`npm start` builds it), or dist/console/dist in the compiled output (`npm run build`).
   */
  CONSOLE_DIR: z.string().min(1).optional(),
  /** What agents and the console see as the control plane's version; the package's by default. */
  PALISADE_VERSION: z.string().min(1).default(packageJson.version),
});

/**
 * Every variable the control plane reads: what a deployment may set. infra/aws/test/runtime-contract.test.ts
 * checks the stacks' environments against it, importing it at run time (so knip cannot see the use).
 * @public
 */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/**
 * Where the control plane runs. A server (`palisade serve`, `palisade worker`) keeps its
 * connections and, by default, applies migrations at start (a deployment that runs `palisade migrate`
 * first sets MIGRATE_ON_START=false); a Lambda container is one of many short-lived ones.
 */
export type Runtime = 'server' | 'lambda';

const RUNTIME_DEFAULTS: Record<
  Runtime,
  { databasePoolSize: number; preparedStatements: boolean; longPollMaxSeconds: number; migrateOnStart: boolean; refusalHoldMs: number }
> = {
  server: { databasePoolSize: 10, preparedStatements: true, longPollMaxSeconds: 60, migrateOnStart: true, refusalHoldMs: 1_000 },
  // RDS Proxy multiplexes connections, so each container keeps few. Lambda bills wall time and API
  // Gateway cuts requests at 29 s: long-polls wait at most 25 s. Migrations run at deploy, not in
  // every cold start. Prepared statements would pin each container's sessions in RDS Proxy.
  lambda: { databasePoolSize: 2, preparedStatements: false, longPollMaxSeconds: 25, migrateOnStart: false, refusalHoldMs: 0 },
};

/**
 * The environment that lifts every public rate limit, for harnesses that are one loopback client
 * signing up and writing in tight loops (the lab, the test suites); tests of the limits set their own.
 */
export const RATE_LIMITS_LIFTED = {
  RATE_LIMIT_READS_PER_SECOND: '1000000',
  RATE_LIMIT_READS_BURST: '1000000',
  RATE_LIMIT_WRITES_PER_SECOND: '1000000',
  RATE_LIMIT_WRITES_BURST: '1000000',
  RATE_LIMIT_AGENT_PER_SECOND: '1000000',
  RATE_LIMIT_AGENT_BURST: '1000000',
  RATE_LIMIT_SIGNUPS_PER_HOUR: '1000000',
  RATE_LIMIT_SIGNUP_BURST: '1000000',
  RATE_LIMIT_SIGN_INS_PER_MINUTE: '1000000',
  RATE_LIMIT_SIGN_IN_BURST: '1000000',
  RATE_LIMIT_SIGN_INS_PER_EMAIL_PER_HOUR: '1000000',
  RATE_LIMIT_SIGN_IN_EMAIL_BURST: '1000000',
} as const;

export interface ControlPlaneConfig {
  /** PALISADE_ROLE, when set. */
  role: ProcessRole | undefined;
  port: number;
  host: string;
  /** Where GET /metrics listens; undefined = no metrics. */
  metricsPort: number | undefined;
  databaseUrl: string | undefined;
  /** Connect with RDS IAM auth tokens (db/client.ts). */
  databaseIamAuth: boolean;
  databasePoolSize: number;
  databasePreparedStatements: boolean;
  dataDir: string;
  redisUrl: string | undefined;
  queuePrefix: string;
  signingKeysJson: string | undefined;
  signingKeysFile: string | undefined;
  signingKeysSecretArn: string | undefined;
  signingKeysRefreshMs: number;
  bundleTtlMs: number;
  longPollMaxMs: number;
  maxBodyBytes: number;
  fairness: FairnessConfig;
  relayPollMs: number;
  /** Where the worker publishes its scaling metrics as EMF; undefined = not at all. */
  cloudwatchNamespace: string | undefined;
  aws: AwsConfig;
  logLevel: string;
  demoTenant: boolean;
  version: string;
  migrateOnStart: boolean;
  /** The console build to serve at `/`; undefined on Lambda (there the console is on S3 + CloudFront). */
  consoleDir: string | undefined;
}

/** console/dist relative to this file: beside the sources, and beside the compiled bin/ in dist/. */
const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../console/dist', import.meta.url));

/** How EKS onboarding reaches AWS, and who palisade is there. */
export interface AwsConfig {
  endpoint: string | undefined;
  region: string | undefined;
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  principal: string | undefined;
  onboardingRetryBaseMs: number;
  /** What EKS onboarding installs agents with. */
  agentControlPlaneUrl: string;
  agentImage: string;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env, runtime: Runtime = 'server'): ControlPlaneConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  }
  const e = parsed.data;
  const defaults = RUNTIME_DEFAULTS[runtime];
  if ((e.AWS_ACCESS_KEY_ID === undefined) !== (e.AWS_SECRET_ACCESS_KEY === undefined)) {
    throw new ConfigError('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together: set both, or neither for the AWS SDK provider chain');
  }
  if (runtime === 'lambda' && (!e.DATABASE_URL || !(e.SIGNING_KEYS || e.SIGNING_KEYS_SECRET_ARN))) {
    throw new ConfigError('on Lambda, set DATABASE_URL and SIGNING_KEYS_SECRET_ARN (or SIGNING_KEYS, the key ring JSON)');
  }
  if (e.SIGNING_KEYS !== undefined && e.SIGNING_KEYS_SECRET_ARN !== undefined) {
    throw new ConfigError('SIGNING_KEYS and SIGNING_KEYS_SECRET_ARN: the key ring has one home, set one of them');
  }
  if (e.DATABASE_IAM_AUTH === 'true' && (!e.DATABASE_URL || !e.AWS_REGION)) {
    throw new ConfigError('DATABASE_IAM_AUTH: an RDS IAM token is made for the user and host of DATABASE_URL in AWS_REGION: set both');
  }
  const dataDir = resolve(e.DATA_DIR);
  const databasePoolSize = e.DATABASE_POOL_SIZE ?? defaults.databasePoolSize;
  const embedded = e.DATABASE_URL === undefined;
  return {
    role: e.PALISADE_ROLE,
    port: e.PORT,
    host: e.HOST,
    metricsPort: e.METRICS_PORT,
    databaseUrl: e.DATABASE_URL,
    databaseIamAuth: e.DATABASE_IAM_AUTH === 'true',
    databasePoolSize,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS === undefined ? defaults.preparedStatements : e.DATABASE_PREPARED_STATEMENTS === 'true',
    dataDir,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    signingKeysJson: e.SIGNING_KEYS,
    // The embedded default keeps its keys beside its data; production must say where they are.
    signingKeysFile: e.SIGNING_KEYS_FILE ?? (embedded ? resolve(dataDir, 'signing-keys.json') : undefined),
    signingKeysSecretArn: e.SIGNING_KEYS_SECRET_ARN,
    signingKeysRefreshMs: e.SIGNING_KEYS_REFRESH_SECONDS * 1_000,
    bundleTtlMs: e.BUNDLE_TTL_HOURS * 3_600_000,
    longPollMaxMs: (e.LONG_POLL_MAX_SECONDS ?? defaults.longPollMaxSeconds) * 1_000,
    maxBodyBytes: e.MAX_BODY_BYTES,
    fairness: {
      tenantReads: { perSecond: e.RATE_LIMIT_READS_PER_SECOND, burst: e.RATE_LIMIT_READS_BURST },
      tenantWrites: { perSecond: e.RATE_LIMIT_WRITES_PER_SECOND, burst: e.RATE_LIMIT_WRITES_BURST },
      agentRequests: { perSecond: e.RATE_LIMIT_AGENT_PER_SECOND, burst: e.RATE_LIMIT_AGENT_BURST },
      signups: { perSecond: e.RATE_LIMIT_SIGNUPS_PER_HOUR / 3_600, burst: e.RATE_LIMIT_SIGNUP_BURST },
      signIns: { perSecond: e.RATE_LIMIT_SIGN_INS_PER_MINUTE / 60, burst: e.RATE_LIMIT_SIGN_IN_BURST },
      signInsPerEmail: { perSecond: e.RATE_LIMIT_SIGN_INS_PER_EMAIL_PER_HOUR / 3_600, burst: e.RATE_LIMIT_SIGN_IN_EMAIL_BURST },
      trustedProxyHops: e.TRUSTED_PROXY_HOPS,
      refusalHoldMs: e.RATE_LIMIT_REFUSAL_HOLD_MS ?? defaults.refusalHoldMs,
      longPolls: { perToken: e.LONG_POLL_MAX_PER_TOKEN, perTenant: e.LONG_POLL_MAX_PER_TENANT },
      tenantConcurrency: {
        inFlight: e.TENANT_CONCURRENT_REQUESTS ?? Math.max(1, Math.floor(databasePoolSize / 2)),
        queued: e.TENANT_QUEUED_REQUESTS,
      },
      flowStreamsPerTenant: e.FLOW_STREAMS_PER_TENANT,
    },
    relayPollMs: e.RELAY_POLL_MS,
    cloudwatchNamespace: e.PALISADE_CLOUDWATCH_NAMESPACE,
    aws: {
      endpoint: e.AWS_ENDPOINT_URL,
      region: e.AWS_REGION,
      credentials: e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY ? { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY } : undefined,
      principal: e.PALISADE_AWS_PRINCIPAL,
      onboardingRetryBaseMs: e.ONBOARDING_RETRY_BASE_MS,
      agentControlPlaneUrl: e.AGENT_CONTROL_PLANE_URL,
      agentImage: e.AGENT_IMAGE,
    },
    logLevel: e.LOG_LEVEL,
    demoTenant: e.DEMO_TENANT === undefined ? embedded : e.DEMO_TENANT === 'true',
    version: e.PALISADE_VERSION,
    migrateOnStart: e.MIGRATE_ON_START === undefined ? defaults.migrateOnStart : e.MIGRATE_ON_START === 'true',
    consoleDir: runtime === 'lambda' ? undefined : resolve(e.CONSOLE_DIR ?? DEFAULT_CONSOLE_DIR),
  };
}
