import { bigint, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { clusters } from './clusters.ts';
import { createdAt, id, tenantId, tenantIsolation } from './columns.ts';

/**
 * Signed bundles, immutable: the application role may insert and read them, never update or delete
 * (grants in the roles migration). `revision` only grows per cluster (unique index + builder lock).
 */
export const bundles = pgTable(
  'bundles',
  {
    id: id(),
    tenantId: tenantId(),
    clusterId: uuid('cluster_id')
      .notNull()
      .references(() => clusters.id),
    revision: bigint('revision', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    /** Hash of the policy content alone, so a rebuild with nothing changed issues no new revision. */
    contentHash: text('content_hash').notNull(),
    keyId: text('key_id').notNull(),
    /** The whole bundle as a compact JWS (header.payload.signature). */
    jws: text('jws').notNull(),
    size: integer('size').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [uniqueIndex('bundles_cluster_revision').on(t.clusterId, t.revision), index('bundles_tenant').on(t.tenantId), tenantIsolation('bundles', t.tenantId)],
).enableRLS();
