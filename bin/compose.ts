// The composition root: the one function that builds the control plane from its validated config,
// for a role. `all` is the embedded default (API, outbox relay, bundle builder, reissue, prune and
// flow expiry passes in one process); `api` serves HTTP only (Lambda) and leaves builds to a
// `worker`, which runs the relay, the builder and the reissue, prune and flow expiry passes with no
// HTTP; `delivery` serves the agents' endpoints alone (the long-poll service behind the agents' load
// balancer: bundle, status, inventory, flows, trust root, health). Split roles share one Postgres
// (and Redis for the build queue), so they need DATABASE_URL.
import type { Logger } from 'pino';
import { type App, createApp } from '../api/app.ts';
import { type BundleWaiters, listenForBundles } from '../api/services/bundle-waiters.ts';
import { type FlowFeed, listenForFlows } from '../api/services/flow-feed.ts';
import { assertTenantIsolation, type Database, migrate, openDatabase, pendingMigrations } from '../db/index.ts';
import { type KeyRing, trustRootOf } from '../policy/bundle/index.ts';
import { createBundleBuilder } from '../workers/bundle/build-bundle.ts';
import { paceBuilds } from '../workers/bundle/pace-builds.ts';
import { pruneBundles } from '../workers/bundle/prune.ts';
import { requestReissues } from '../workers/bundle/reissue.ts';
import { expireFlowLogs } from '../workers/flows/expire.ts';
import { publishEmf } from '../workers/metrics/cloudwatch-emf.ts';
import { outboxLagSeconds } from '../workers/metrics/outbox-lag.ts';
import { instrumentBuilds, registerQueueDepth } from '../workers/metrics/worker-metrics.ts';
import { createEksOffboarder } from '../workers/onboarding/offboard-eks-cluster.ts';
import { createEksOnboarder } from '../workers/onboarding/onboard-eks-cluster.ts';
import { type Relay, startRelay } from '../workers/outbox/relay.ts';
import { backfillPolicyResources } from '../workers/policies/backfill-resources.ts';
import { type BuildQueue, type BuildRequest, jobKind } from '../workers/queue/build-queue.ts';
import { createBullmqQueue } from '../workers/queue/bullmq-queue.ts';
import { createInProcessQueue } from '../workers/queue/in-process-queue.ts';
import { keyRingSecret, openSecretKeyRing } from '../workers/signing/key-ring-secret.ts';
import { openKeyRing } from '../workers/signing/key-ring-store.ts';
import { ConfigError, type ControlPlaneConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { type ControlPlaneMetrics, createControlPlaneMetrics } from './metrics/control-plane-registry.ts';
import { type MetricsServer, startMetricsServer } from './metrics/metrics-server.ts';

export type Role = 'all' | 'api' | 'delivery' | 'worker';
/** Roles that run the outbox relay, the builder and the periodic passes. */
type WorkingRole = 'all' | 'worker';

/** How often the reissue pass looks for bundles near expiry or signed by a retired key. */
const REISSUE_EVERY_MS = 60_000;
/**
 * How often old bundles are pruned: history grows by one bundle per write, so a minute bounds it well;
 * the first pass waits as long, keeping start-up (and a quick stop after it) light.
 */
const PRUNE_EVERY_MS = 60_000;
/**
 * Flow expiry: retention is counted in hours, so a pass every five minutes keeps rows at most minutes
 * past their time. Each pass deletes at most FLOW_EXPIRY_BATCHES batches of FLOW_EXPIRY_BATCH rows,
 * pausing between them, so a backlog (a plan downgrade, a long outage) drains over several passes in
 * short transactions instead of one long delete.
 */
const FLOW_EXPIRY_EVERY_MS = 5 * 60_000;
const FLOW_EXPIRY_BATCH = 5_000;
const FLOW_EXPIRY_PAUSE_MS = 200;
const FLOW_EXPIRY_BATCHES = 200;

/** CloudWatch's finest standard resolution: the worker's scaling alarms look at one-minute periods. */
const CLOUDWATCH_METRICS_EVERY_MS = 60_000;

/** Runs of an EKS onboarding (or offboarding) step before throttling (after the SDK's own retries) is its outcome. */
const ONBOARDING_ATTEMPTS = 4;

export interface ComposeOptions {
  logger?: Logger;
  clock?: () => Date;
}

export interface Composition<R extends Role> {
  database: Database;
  keyRing: () => KeyRing;
  logger: Logger;
  /** The HTTP application, for every role but `worker`. */
  app: R extends 'worker' ? undefined : App;
  /** Where long-polls wait for bundles, for every role but `worker`. */
  bundleWaiters: R extends 'worker' ? undefined : BundleWaiters;
  /** Where live flow streams wait for new flows, for every role but `worker`. */
  flowFeed: R extends 'worker' ? undefined : FlowFeed;
  /** The outbox relay, for `all` and `worker`. */
  relay: R extends WorkingRole ? Relay : undefined;
  /** The metrics listener (GET /metrics) and its registry, when METRICS_PORT is set. */
  metrics: (MetricsServer & { registry: ControlPlaneMetrics['registry'] }) | undefined;
  /** Stops the workers, wakes waiting long-polls and closes the database. Idempotent. */
  close(): Promise<void>;
}

interface Workers {
  relay: Relay;
  close(): Promise<void>;
}

async function startWorkers(
  config: ControlPlaneConfig,
  database: Database,
  keyRing: () => KeyRing,
  logger: Logger,
  clock: () => Date,
  metrics: ControlPlaneMetrics | undefined,
): Promise<Workers> {
  const builder = createBundleBuilder({ db: database.db, keyRing, clock, bundleTtlMs: config.bundleTtlMs, logger });
  // Paced outside the instrumentation: the build duration metric is the build's, not its pause's.
  const buildBundle = paceBuilds(metrics ? instrumentBuilds(builder, metrics.workers) : builder);
  const awsAccess = {
    ...(config.aws.endpoint && { endpoints: { sts: config.aws.endpoint, eks: config.aws.endpoint } }),
    ...(config.aws.credentials && { credentials: config.aws.credentials }),
  };
  const onboardEksCluster = createEksOnboarder({
    db: database.db,
    access: awsAccess,
    install: { controlPlaneUrl: config.aws.agentControlPlaneUrl, image: config.aws.agentImage },
    trustRoot: () => JSON.stringify(trustRootOf(keyRing(), clock())),
    retryBaseMs: config.aws.onboardingRetryBaseMs,
    attempts: ONBOARDING_ATTEMPTS,
    logger,
  });
  const offboardEksCluster = createEksOffboarder({
    db: database.db,
    access: awsAccess,
    retryBaseMs: config.aws.onboardingRetryBaseMs,
    attempts: ONBOARDING_ATTEMPTS,
    logger,
  });
  const work = (request: BuildRequest) => {
    const kind = jobKind(request);
    if (kind === 'eks-onboarding') return onboardEksCluster(request);
    if (kind === 'eks-offboarding') return offboardEksCluster(request);
    return buildBundle(request);
  };
  const queueKind = config.redisUrl ? 'bullmq' : 'in-process';
  const onJobFailure = () => metrics?.workers.jobFailures.inc({ queue: queueKind });
  const buildQueue: BuildQueue = config.redisUrl
    ? createBullmqQueue(work, logger, { redisUrl: config.redisUrl, work: true, prefix: config.queuePrefix, onJobFailure })
    : createInProcessQueue(work, logger, onJobFailure);
  if (metrics) {
    registerQueueDepth(metrics.registry, buildQueue, queueKind);
    metrics.watchOutbox();
  }
  const relay = await startRelay(database, buildQueue, logger, { pollMs: config.relayPollMs });
  const scalingMetrics =
    config.cloudwatchNamespace === undefined
      ? undefined
      : publishEmf({
          namespace: config.cloudwatchNamespace,
          everyMs: CLOUDWATCH_METRICS_EVERY_MS,
          read: async () => ({
            QueueDepth: { value: (await buildQueue.depth()).waiting, unit: 'Count' },
            OutboxLagSeconds: { value: await outboxLagSeconds(database.db), unit: 'Seconds' },
          }),
          write: (line) => process.stdout.write(`${line}\n`),
          clock,
          onError: (error) => logger.error({ err: error }, 'reading the scaling metrics failed'),
        });
  // Renew a bundle when half its life is gone, or when the active signing key changed.
  const reissue = () =>
    requestReissues(database.db, buildQueue, { activeKeyId: keyRing().active, renewBeforeMs: config.bundleTtlMs / 2 }).catch((error: unknown) =>
      logger.error({ err: error }, 'bundle reissue pass failed'),
    );
  const reissueTimer = setInterval(reissue, REISSUE_EVERY_MS);
  void reissue();
  void backfillPolicyResources(database.db).then(
    (filled) => {
      if (filled > 0) logger.info({ filled }, 'stored policy IR backfilled');
    },
    (error: unknown) => logger.error({ err: error }, 'policy IR backfill failed'),
  );
  const prune = () =>
    pruneBundles(database.db).then(
      (pruned) => {
        if (pruned > 0) logger.info({ pruned }, 'bundles pruned');
      },
      (error: unknown) => logger.error({ err: error }, 'bundle prune pass failed'),
    );
  const pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
  const stopExpiry = new AbortController();
  let expiring: Promise<void> | undefined;
  const expire = () => {
    // A pass still draining a backlog is not doubled by the next tick.
    expiring ??= expireFlowLogs(database.db, {
      batchSize: FLOW_EXPIRY_BATCH,
      pauseMs: FLOW_EXPIRY_PAUSE_MS,
      maxBatches: FLOW_EXPIRY_BATCHES,
      signal: stopExpiry.signal,
    })
      .then(
        (pass) => {
          if (pass.deleted > 0) logger.info(pass, 'expired flow logs deleted');
        },
        (error: unknown) => logger.error({ err: error }, 'flow expiry pass failed'),
      )
      .finally(() => {
        expiring = undefined;
      });
  };
  const expiryTimer = setInterval(expire, FLOW_EXPIRY_EVERY_MS);
  return {
    relay,
    async close() {
      scalingMetrics?.stop();
      clearInterval(reissueTimer);
      clearInterval(pruneTimer);
      clearInterval(expiryTimer);
      stopExpiry.abort();
      await expiring;
      await relay.stop();
      await buildQueue.close();
    },
  };
}

/** The database as the configuration says to reach it (RDS IAM tokens when DATABASE_IAM_AUTH is set). */
export function openConfiguredDatabase(config: ControlPlaneConfig, maxConnections = config.databasePoolSize): Promise<Database> {
  return openDatabase({
    url: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : `${config.dataDir}/pglite`,
    maxConnections,
    preparedStatements: config.databasePreparedStatements,
    // config.ts refuses IAM auth without a region.
    iamAuth: config.databaseIamAuth ? { region: config.aws.region!, credentials: config.aws.credentials } : undefined,
  });
}

/** The signing key ring from its one configured home: SIGNING_KEYS, the secret, or the file. */
function openConfiguredKeyRing(config: ControlPlaneConfig, clock: () => Date, logger: Logger): Promise<() => KeyRing> {
  if (config.signingKeysSecretArn && !config.signingKeysJson) {
    return openSecretKeyRing(keyRingSecret(config.signingKeysSecretArn, config.aws), {
      refreshMs: config.signingKeysRefreshMs,
      onRefreshError: (error) => logger.error({ err: error }, 'reading the signing key ring secret failed; keeping the ring read before'),
    });
  }
  return openKeyRing({ json: config.signingKeysJson, file: config.signingKeysFile, createIfMissing: config.databaseUrl === undefined, now: clock });
}

export async function compose<R extends Role>(config: ControlPlaneConfig, role: R, options: ComposeOptions = {}): Promise<Composition<R>> {
  if (role !== 'all' && config.databaseUrl === undefined) {
    throw new ConfigError(
      `the ${role} role shares its database with other processes: set DATABASE_URL (the embedded database serves one process, with role all)`,
    );
  }
  const logger = options.logger ?? (await createLogger(config.logLevel));
  const clock = options.clock ?? (() => new Date());

  const database = await openConfiguredDatabase(config);
  try {
    if (config.migrateOnStart) {
      const applied = await migrate(database.db);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    } else {
      const pending = await pendingMigrations(database.db);
      if (pending.length > 0) {
        throw new ConfigError(`the database lacks ${pending.length} migration(s) of this build (${pending.join(', ')}): run \`palisade migrate\` first`);
      }
    }
    await assertTenantIsolation(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }

  const keyRing = await openConfiguredKeyRing(config, clock, logger).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  const metrics = config.metricsPort === undefined ? undefined : createControlPlaneMetrics(database);
  const works = role === 'all' || role === 'worker';
  const workers = works ? await startWorkers(config, database, keyRing, logger, clock, metrics) : undefined;
  let bundleWaiters: BundleWaiters | undefined;
  let flowFeed: FlowFeed | undefined;
  let app: App | undefined;
  if (role !== 'worker') {
    bundleWaiters = await listenForBundles(database, (error) => logger.error({ err: error }, 'reading a bundle for parked long-polls failed'));
    metrics?.watchWaiters(bundleWaiters);
    flowFeed = await listenForFlows(database);
    app = createApp({
      database,
      keyRing,
      bundleWaiters,
      flowFeed,
      clock,
      logger,
      config: {
        surface: role === 'delivery' ? 'agent' : 'full',
        maxBodyBytes: config.maxBodyBytes,
        longPollMaxMs: config.longPollMaxMs,
        version: config.version,
        fairness: config.fairness,
        consoleDir: config.consoleDir,
        awsPrincipal: config.aws.principal,
      },
      ...(metrics && { metrics: metrics.api }),
    });
  }
  const metricsServer =
    metrics && config.metricsPort !== undefined
      ? await startMetricsServer(metrics.registry, { host: config.host, port: config.metricsPort, logger })
      : undefined;
  if (metricsServer) logger.info({ url: metricsServer.url }, 'metrics listening');
  logger.info({ role, database: database.kind, ...(workers && { queue: config.redisUrl ? 'bullmq' : 'in-process' }) }, 'control plane composed');

  let closing: Promise<void> | undefined;
  return {
    database,
    keyRing,
    logger,
    app,
    bundleWaiters,
    flowFeed,
    relay: workers?.relay,
    metrics: metricsServer && metrics && { ...metricsServer, registry: metrics.registry },
    close() {
      closing ??= (async () => {
        await metricsServer?.close();
        await bundleWaiters?.close();
        await flowFeed?.close();
        await workers?.close();
        await database.close();
      })();
      return closing;
    },
  } as Composition<R>;
}
