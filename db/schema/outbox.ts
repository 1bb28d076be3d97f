import { sql } from 'drizzle-orm';
import { bigserial, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, tenantId, tenantIsolation } from './columns.ts';

/**
 * Written in the same transaction as the change it announces; the relay (running as the owner, across
 * tenants) moves rows into the job queue and stamps `relayedAt`.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: tenantId(),
    clusterId: uuid('cluster_id').notNull(),
    topic: text('topic').notNull(),
    createdAt: createdAt(),
    relayedAt: timestamp('relayed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('outbox_pending').on(t.id).where(sql`relayed_at is null`), tenantIsolation('outbox', t.tenantId)],
).enableRLS();
