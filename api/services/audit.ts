// The audit log: every write records who did what to which object, before and after.

import { sql } from 'drizzle-orm';
import { newId, type Placeholders, statement, type Tx } from '../../db/index.ts';
import { auditLog } from '../../db/schema/index.ts';
import type { ApiCaller } from './context.ts';

export interface AuditEntry {
  action: 'create' | 'update' | 'delete' | 'revoke';
  resourceType: string;
  resourceId: string;
  before?: unknown;
  after?: unknown;
}

/**
 * Written in the same transaction as the change, so the log never disagrees with the data. The insert
 * starts as this is called, so a caller pipelining it beside other statements knows their order.
 */
export function recordAudit(tx: Tx, caller: Pick<ApiCaller, 'tenantId' | 'actor'>, entry: AuditEntry): Promise<void> {
  return insertEntry(tx, auditValues(caller, entry)).then(() => undefined);
}

// The entry alone: auditedBy's insert, the one place that writes a row, read back by a select.
const insertEntry = statement('insert-audit-entry', (tx, values: AuditValues) => {
  const audited = auditedBy(tx, values);
  return tx.with(audited).select({ id: audited.id }).from(audited);
});

/**
 * An entry's values as a statement that writes a change and its entry together takes them (auditedBy):
 * the entry's own, named apart from the change's, with before and after as JSON text.
 */
// A type, not an interface: statement values are records.
export type AuditValues = {
  auditId: string;
  auditTenantId: string;
  auditActor: string;
  auditAction: AuditEntry['action'];
  auditResourceType: string;
  auditResourceId: string;
  auditBefore: string | null;
  auditAfter: string | null;
};

export function auditValues(caller: Pick<ApiCaller, 'tenantId' | 'actor'>, entry: AuditEntry): AuditValues {
  return {
    auditId: newId(),
    auditTenantId: caller.tenantId,
    auditActor: caller.actor,
    auditAction: entry.action,
    auditResourceType: entry.resourceType,
    auditResourceId: entry.resourceId,
    // Absent or null is SQL NULL, not the JSON value null: "no before" reads the same either way.
    auditBefore: entry.before == null ? null : JSON.stringify(entry.before),
    auditAfter: entry.after == null ? null : JSON.stringify(entry.after),
  };
}

/**
 * The entry's insert as a CTE, for a statement (db/statements.ts) that writes the change it records:
 * `tx.with(auditedBy(tx, values)).update(...)`. Postgres runs a data-modifying CTE whether or not the
 * statement reads it, in the statement, so the entry is written with the change or not at all, as
 * recordAudit's is in the change's transaction, and the write takes one statement (one socket write of
 * the API's, one Bind and Execute of the database's) instead of two. The values are cast from text:
 * JSON text whichever driver sends it, and a null before or after stays SQL NULL.
 */
export function auditedBy(tx: Tx, values: Placeholders<AuditValues>) {
  return tx.$with('audited', { id: sql<string>`id`.as('id') }).as(
    sql`insert into ${auditLog} (${columns(auditLog.id, auditLog.tenantId, auditLog.actor, auditLog.action, auditLog.resourceType, auditLog.resourceId, auditLog.before, auditLog.after)})
      values (${values.auditId}::uuid, ${values.auditTenantId}::uuid, ${values.auditActor}::text, ${values.auditAction}::text,
        ${values.auditResourceType}::text, ${values.auditResourceId}::text, ${values.auditBefore}::text::jsonb, ${values.auditAfter}::text::jsonb)
      returning ${sql.identifier(auditLog.id.name)}`,
  );
}

const columns = (...list: { name: string }[]) =>
  sql.join(
    list.map((column) => sql.identifier(column.name)),
    sql`, `,
  );
