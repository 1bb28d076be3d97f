// Idempotency-Key on POST (the IETF httpapi draft, as Stripe does it): the first request's response is
// stored under the key and replayed for retries; the same key with a different request is refused, and
// a retry that arrives while the first is still running gets 409 instead of creating a second object.
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { withTenant } from '../../db/index.ts';
import { idempotencyKeys } from '../../db/schema/index.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors/api-error.ts';

const IN_PROGRESS = 0;

export function idempotency(): MiddlewareHandler<AppEnv> {
  return async function replayIdempotentPost(c, next) {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (key.length === 0 || key.length > 255) {
      throw new ApiError('VALIDATION_FAILED', 'Idempotency-Key must be 1-255 characters', {
        errors: [{ path: 'headers.idempotency-key', message: 'must be 1-255 characters' }],
      });
    }
    const { database } = c.get('services');
    const { tenantId } = c.get('caller');
    const fingerprint = `${c.req.method} ${c.req.path} ${createHash('sha256')
      .update(await c.req.text())
      .digest('hex')}`;
    const forKey = and(eq(idempotencyKeys.tenantId, tenantId), eq(idempotencyKeys.key, key));

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
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) {
        throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request');
      }
      if (earlier.status === IN_PROGRESS) throw new ApiError('CONFLICT', 'a request with this Idempotency-Key is still in progress');
      return c.json(earlier.body as object, earlier.status as 200, { 'idempotent-replayed': 'true' });
    }

    try {
      await next();
    } finally {
      const status = c.res.status;
      await withTenant(database.db, tenantId, async (tx) => {
        // Only successes are kept: a refused request may be corrected and retried with the same key.
        if (status >= 300 || c.error) await tx.delete(idempotencyKeys).where(forKey);
        else {
          const body = await c.res
            .clone()
            .json()
            .catch(() => ({}));
          await tx.update(idempotencyKeys).set({ status, body }).where(forKey);
        }
      });
    }
  };
}
