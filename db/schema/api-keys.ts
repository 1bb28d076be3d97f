import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, tenantId, tenantIsolation } from './columns.ts';
import { memberRoles } from './members.ts';

/** API keys are shown once; only their SHA-256 is kept (they are 160-bit random, so no slow hash is needed). */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: id(),
    tenantId: tenantId(),
    memberId: uuid('member_id'),
    name: text('name').notNull(),
    role: text('role', { enum: memberRoles }).notNull(),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('api_keys_hash').on(t.hash), index('api_keys_tenant').on(t.tenantId), tenantIsolation('api_keys', t.tenantId)],
).enableRLS();
