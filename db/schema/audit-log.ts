import { index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, id, tenantId, tenantIsolation } from './columns.ts';

/** Append-only: the application role may insert and read, never change or remove an entry. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: id(),
    tenantId: tenantId(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_log_tenant_time').on(t.tenantId, t.createdAt),
    // Idempotent DELETE asks "did this tenant delete that object before?" (api/services/tombstones.ts).
    index('audit_log_resource').on(t.tenantId, t.resourceType, t.resourceId),
    // The audit-events list pages newest first by id (UUIDv7, so creation order) within a tenant.
    index('audit_log_tenant_id').on(t.tenantId, t.id),
    tenantIsolation('audit_log', t.tenantId),
  ],
).enableRLS();
