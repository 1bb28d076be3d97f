import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, tenantId, tenantIsolation } from './columns.ts';

export const memberRoles = ['owner', 'admin', 'editor', 'viewer'] as const;
export type MemberRole = (typeof memberRoles)[number];

export const members = pgTable(
  'members',
  {
    id: id(),
    tenantId: tenantId(),
    email: text('email').notNull(),
    role: text('role', { enum: memberRoles }).notNull(),
    /**
     * scrypt, encoded with its parameters and salt (api/services/passwords.ts). Null for a member who
     * has never set one (automation reaches the API with keys only), who cannot sign in.
     */
    passwordHash: text('password_hash'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('members_tenant_email').on(t.tenantId, t.email), index('members_tenant').on(t.tenantId), tenantIsolation('members', t.tenantId)],
).enableRLS();
