// The composition root of the control plane: database, migrations, key ring, API, outbox relay and
// bundle builder in one process (the embedded default, and one shape of production). Tests start it too.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { pino, type Logger } from 'pino';
import { createApp } from '../api/app.ts';
import { listenForBundles } from '../api/services/bundle-waiters.ts';
import { assertTenantIsolation, migrate, openDatabase } from '../db/index.ts';
import { createBundleBuilder } from '../workers/bundle/build-bundle.ts';
import { requestReissues } from '../workers/bundle/reissue.ts';
import { startRelay } from '../workers/outbox/relay.ts';
import { createBullmqQueue } from '../workers/queue/bullmq-queue.ts';
import { createInProcessQueue } from '../workers/queue/in-process-queue.ts';
import { openKeyRing } from '../workers/signing/key-ring-store.ts';
import type { ControlPlaneConfig } from './config.ts';

export const VERSION = '0.1.0';

export interface StartOptions {
  logger?: Logger;
  clock?: () => Date;
  /** BullMQ key prefix, so concurrent test runs on one Redis do not share queues. */
  queuePrefix?: string;
}

export async function startControlPlane(config: ControlPlaneConfig, options: StartOptions = {}) {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const clock = options.clock ?? (() => new Date());

  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : `${config.dataDir}/pglite` });
  const applied = await migrate(database.db);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  await assertTenantIsolation(database.db);

  const keyRing = await openKeyRing({
    json: config.signingKeysJson,
    file: config.signingKeysFile,
    createIfMissing: config.databaseUrl === undefined,
    now: clock,
  });
  const buildBundle = createBundleBuilder({ db: database.db, keyRing, clock, bundleTtlMs: config.bundleTtlMs, logger });
  const buildQueue = config.redisUrl
    ? createBullmqQueue(buildBundle, logger, { redisUrl: config.redisUrl, work: true, prefix: options.queuePrefix })
    : createInProcessQueue(buildBundle, logger);
  const relay = await startRelay(database, buildQueue, logger, { pollMs: config.relayPollMs });
  // Renew a bundle when half its life is gone, or when the active signing key changed.
  const reissue = () =>
    requestReissues(database.db, buildQueue, { activeKeyId: keyRing().active, renewBeforeMs: config.bundleTtlMs / 2 }).catch((error: unknown) =>
      logger.error({ err: error }, 'bundle reissue pass failed'),
    );
  const reissueTimer = setInterval(reissue, 60_000);
  void reissue();

  const bundleWaiters = await listenForBundles(database);
  const app = createApp({
    database,
    keyRing,
    bundleWaiters,
    clock,
    logger,
    config: { maxBodyBytes: config.maxBodyBytes, longPollMaxMs: config.longPollMaxMs, version: VERSION },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  logger.info({ url, database: database.kind, queue: config.redisUrl ? 'bullmq' : 'in-process' }, 'control plane listening');

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    app,
    database,
    relay,
    keyRing,
    stop() {
      stopping ??= (async () => {
        clearInterval(reissueTimer);
        await bundleWaiters.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        });
        await relay.stop();
        await buildQueue.close();
        await database.close();
      })();
      return stopping;
    },
  };
}

export type ControlPlane = Awaited<ReturnType<typeof startControlPlane>>;
