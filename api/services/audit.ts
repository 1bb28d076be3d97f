// The audit log: every write records who did what to which object, before and after.

import { newId, statement, type Tx } from '../../db/index.ts';
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
  const row = { ...entry, id: newId(), tenantId: caller.tenantId, actor: caller.actor, before: entry.before ?? null, after: entry.after ?? null };
  return insertEntry(tx, row).then(() => undefined);
}

type AuditRow = typeof auditLog.$inferInsert;

const insertEntry = statement(
  'insert-audit-entry',
  (tx, values: Required<Pick<AuditRow, 'id' | 'tenantId' | 'actor' | 'action' | 'resourceType' | 'resourceId' | 'before' | 'after'>>) =>
    tx.insert(auditLog).values({
      id: values.id,
      tenantId: values.tenantId,
      actor: values.actor,
      action: values.action,
      resourceType: values.resourceType,
      resourceId: values.resourceId,
      before: values.before,
      after: values.after,
    }),
);
