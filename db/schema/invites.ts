import { index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, tenantId, tenantIsolation } from './columns.ts';
import { memberRoles } from './members.ts';

/** An invitation to join a tenant with a role: its token is shown once and kept as SHA-256; single use. */
export const invites = pgTable(
  'invites',
  {
    id: id(),
    tenantId: tenantId(),
    email: text('email').notNull(),
    role: text('role', { enum: memberRoles }).notNull(),
    hash: text('hash').notNull(),
    /** The audit actor who invited. */
    invitedBy: text('invited_by').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('invites_hash').on(t.hash), index('invites_tenant').on(t.tenantId), tenantIsolation('invites', t.tenantId)],
).enableRLS();
