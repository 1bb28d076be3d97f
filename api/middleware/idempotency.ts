// Idempotency-Key on POST (the IETF httpapi draft, as Stripe does it): the first request's response
// (status, headers and body) is stored under the key and replayed for retries; the same key with a
// different method, path, query or body is refused with 422 naming the difference. Retries that
// arrive while the first is still running wait for it and replay its answer, so every concurrent
// request with one key gets the same answer on every database; one still waiting after
// WAIT_FOR_FIRST_MS gets 409. Only successes are kept: a refused request may be corrected and retried
// with the same key, and a retry waiting on it then runs itself.
import { and, eq } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { withTenant } from '../../db/index.ts';
import { idempotencyKeys } from '../../db/schema/index.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors/api-error.ts';
import { fingerprintDifferences, requestFingerprint } from './request-fingerprint.ts';

const IN_PROGRESS = 0;

/** Longer than any write takes; a retry that waits longer than this is told to come back (409). */
const WAIT_FOR_FIRST_MS = 30_000;
/** How often a retry re-reads the key's row when its first request runs in another process. */
const RECHECK_MS = 100;

/** Headers that describe this exchange, not the stored answer: never replayed. */
const NOT_REPLAYED = new Set(['x-request-id', 'content-length', 'ratelimit', 'ratelimit-policy']);

/** The row's jsonb `body`: the answer's headers and its bytes (base64, so any body is storable). */
const storedAnswer = z.object({ headers: z.record(z.string(), z.string()), body: z.string() });
type StoredAnswer = z.infer<typeof storedAnswer>;

type KeyRow = typeof idempotencyKeys.$inferSelect;

function keyOf(c: Context<AppEnv>): string | undefined {
  const key = c.req.header('idempotency-key');
  if (c.req.method !== 'POST' || key === undefined) return undefined;
  if (key.length === 0 || key.length > 255) {
    throw new ApiError('VALIDATION_FAILED', 'Idempotency-Key must be 1-255 characters', {
      errors: [{ path: 'headers.idempotency-key', message: 'must be 1-255 characters' }],
    });
  }
  return key;
}

function replay(row: KeyRow): Response {
  const answer = storedAnswer.parse(row.body);
  const headers = new Headers(answer.headers);
  headers.set('idempotent-replayed', 'true');
  return new Response(answer.body === '' ? null : Buffer.from(answer.body, 'base64'), { status: row.status, headers });
}

async function answerOf(response: Response): Promise<StoredAnswer> {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) if (!NOT_REPLAYED.has(name)) headers[name] = value;
  return { headers, body: Buffer.from(await response.clone().arrayBuffer()).toString('base64') };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function idempotency(): MiddlewareHandler<AppEnv> {
  /** Requests with a key running in this process: retries here wait on them instead of re-reading the row. */
  const running = new Map<string, Promise<void>>();

  return async function replayIdempotentPost(c, next) {
    const key = keyOf(c);
    if (key === undefined) return next();
    const { database } = c.get('services');
    const { tenantId } = c.get('caller');
    const fingerprint = requestFingerprint({
      method: c.req.method,
      path: c.req.path,
      searchParams: new URL(c.req.url).searchParams,
      body: await c.req.text(),
    });
    const forKey = and(eq(idempotencyKeys.tenantId, tenantId), eq(idempotencyKeys.key, key));
    const runningKey = `${tenantId} ${key}`;

    const waitUntil = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      const earlier = await withTenant(database.db, tenantId, async (tx) => {
        const inserted = await tx
          .insert(idempotencyKeys)
          .values({ tenantId, key, fingerprint, status: IN_PROGRESS, body: {} })
          .onConflictDoNothing()
          .returning({ key: idempotencyKeys.key });
        if (inserted.length > 0) return undefined;
        const [row] = await tx.select().from(idempotencyKeys).where(forKey);
        return row;
      });
      if (!earlier) break;
      const differences = fingerprintDifferences(earlier.fingerprint, fingerprint);
      if (differences.length > 0) {
        throw new ApiError('IDEMPOTENCY_KEY_REUSED', `this Idempotency-Key was first used with a different ${differences.join(', ')}`, {
          errors: differences.map((part) => ({ path: part, message: 'differs from the request first sent with this Idempotency-Key' })),
        });
      }
      if (earlier.status !== IN_PROGRESS) return replay(earlier);
      if (Date.now() >= waitUntil) throw new ApiError('CONFLICT', 'a request with this Idempotency-Key is still in progress');
      // The row may have gone (the first request failed): the next pass claims the key.
      await Promise.race([running.get(runningKey) ?? sleep(RECHECK_MS), sleep(Math.max(0, waitUntil - Date.now()))]);
    }

    let finished = () => {};
    running.set(
      runningKey,
      new Promise((resolve) => {
        finished = resolve;
      }),
    );
    try {
      await next();
    } finally {
      try {
        const status = c.res.status;
        const answer = status >= 300 || c.error ? undefined : await answerOf(c.res);
        await withTenant(database.db, tenantId, async (tx) => {
          if (answer) await tx.update(idempotencyKeys).set({ status, body: answer }).where(forKey);
          else await tx.delete(idempotencyKeys).where(forKey);
        });
      } finally {
        running.delete(runningKey);
        finished();
      }
    }
  };
}
