// Reading the audit log: the tenant's events newest first, filtered by resource, actor, action and
// time, a page at a time (the cursor is the last id seen; ids are UUIDv7, so "older" is "smaller").
import { and, desc, eq, gte, lt } from 'drizzle-orm';
import { auditLog } from '../../db/schema/index.ts';
import { toPage } from '../http/pagination.ts';
import { type AuditEventQuery, presentAuditEvent } from '../schemas/audit-events.ts';
import { inTenant, type TenantContext } from './context.ts';

export async function listAuditEvents(ctx: TenantContext, filter: AuditEventQuery) {
  const rows = await inTenant(ctx, (tx) =>
    tx
      .select()
      .from(auditLog)
      .where(
        and(
          filter.cursor ? lt(auditLog.id, filter.cursor) : undefined,
          filter.resourceType ? eq(auditLog.resourceType, filter.resourceType) : undefined,
          filter.resourceId ? eq(auditLog.resourceId, filter.resourceId) : undefined,
          filter.actor ? eq(auditLog.actor, filter.actor) : undefined,
          filter.action ? eq(auditLog.action, filter.action) : undefined,
          filter.since ? gte(auditLog.createdAt, new Date(filter.since)) : undefined,
          filter.until ? lt(auditLog.createdAt, new Date(filter.until)) : undefined,
        ),
      )
      .orderBy(desc(auditLog.id))
      .limit(filter.limit + 1),
  );
  return toPage(rows, filter, presentAuditEvent);
}
