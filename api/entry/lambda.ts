// AWS Lambda entry (API Gateway / function URL). The API only: the outbox relay and bundle builder run
// as workers on ECS with REDIS_URL. Services are built once per container, on the first request.
import { handle } from 'hono/aws-lambda';
import { pino } from 'pino';
import { assertTenantIsolation, openDatabase } from '../../db/index.ts';
import { keyRingSchema } from '../../policy/bundle/index.ts';
import { createApp } from '../app.ts';
import { listenForBundles } from '../services/bundle-waiters.ts';

async function build() {
  const url = process.env.DATABASE_URL;
  const keys = process.env.SIGNING_KEYS;
  if (!url || !keys) throw new Error('set DATABASE_URL and SIGNING_KEYS (the key ring JSON, e.g. from Secrets Manager)');
  // RDS Proxy multiplexes connections: keep the pool small; settings are transaction-scoped anyway.
  const database = await openDatabase({ url, maxConnections: 2 });
  await assertTenantIsolation(database.db);
  const keyRing = keyRingSchema.parse(JSON.parse(keys));
  const app = createApp({
    database,
    keyRing: () => keyRing,
    bundleWaiters: await listenForBundles(database),
    clock: () => new Date(),
    logger: pino({ level: process.env.LOG_LEVEL ?? 'info' }),
    // Lambda bills wall time: long-polls wait at most 25 s (API Gateway's limit is 29 s).
    config: { maxBodyBytes: 1024 * 1024, longPollMaxMs: 25_000, version: process.env.PALISADE_VERSION ?? 'lambda' },
  });
  return handle(app);
}

let handler: ReturnType<typeof handle> | undefined;
let building: Promise<ReturnType<typeof handle>> | undefined;

export const lambdaHandler = async (...args: Parameters<ReturnType<typeof handle>>) => {
  handler ??= await (building ??= build());
  return handler(...args);
};
