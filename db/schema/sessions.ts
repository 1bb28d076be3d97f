import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, tenantId, tenantIsolation } from './columns.ts';
import { members } from './members.ts';

/**
 * A member signed in through the console. The cookie's token is 192 random bits, so only its SHA-256
 * is kept (like API keys). `expiresAt` slides with use (idle expiry) but never past `endsAt` (the
 * absolute one); removing the member removes their sessions with them.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    tenantId: tenantId(),
    memberId: uuid('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    hash: text('hash').notNull(),
    /** Sent back in X-CSRF-Token on unsafe requests; not a credential on its own (the cookie is). */
    csrfToken: text('csrf_token').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [uniqueIndex('sessions_hash').on(t.hash), index('sessions_member').on(t.tenantId, t.memberId), tenantIsolation('sessions', t.tenantId)],
).enableRLS();
