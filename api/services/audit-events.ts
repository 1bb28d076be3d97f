// Reading the audit log: the tenant's events newest first, filtered by resource, actor, action and
// time, a page at a time (the cursor is the last id seen; ids are UUIDv7, so "older" is "smaller").
import { sql } from 'drizzle-orm';
import { sqlLiteral, tableRows } from '../../db/index.ts';
import { auditLog } from '../../db/schema/index.ts';
import { toPage } from '../http/pagination.ts';
import { type AuditEventQuery, presentAuditEvent } from '../schemas/audit-events.ts';
import { readAsTenant, type TenantContext } from './context.ts';

// A tenant read (db/tenant-read.ts): one round trip, its values written as literals.
const auditRows = tableRows(auditLog);
const equals = (column: string, value: string | undefined) => (value ? sql`${sql.identifier(column)} = ${sqlLiteral(value)}` : undefined);

export async function listAuditEvents(ctx: TenantContext, filter: AuditEventQuery) {
  const conditions = [
    filter.cursor ? sql`id < ${sqlLiteral(filter.cursor)}` : undefined,
    equals('resource_type', filter.resourceType),
    equals('resource_id', filter.resourceId),
    equals('actor', filter.actor),
    equals('action', filter.action),
    filter.since ? sql`created_at >= ${sqlLiteral(new Date(filter.since))}` : undefined,
    filter.until ? sql`created_at < ${sqlLiteral(new Date(filter.until))}` : undefined,
  ].filter((condition) => condition !== undefined);
  const where = conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;
  const raw = await readAsTenant(ctx, sql`select ${auditRows.columns} from audit_log ${where} order by id desc limit ${sqlLiteral(filter.limit + 1)}`);
  return toPage(auditRows.rows(raw), filter, presentAuditEvent);
}
