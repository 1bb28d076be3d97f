// The audit log: every write records who did what to which object, before and after.

import { newId, type Tx } from '../../db/index.ts';
import { auditLog } from '../../db/schema/index.ts';
import type { ApiCaller } from './context.ts';

export interface AuditEntry {
  action: 'create' | 'update' | 'delete' | 'revoke';
  resourceType: string;
  resourceId: string;
  before?: unknown;
  after?: unknown;
}

/** Written in the same transaction as the change, so the log never disagrees with the data. */
export async function recordAudit(tx: Tx, caller: Pick<ApiCaller, 'tenantId' | 'actor'>, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    id: newId(),
    tenantId: caller.tenantId,
    actor: caller.actor,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId,
    before: entry.before ?? null,
    after: entry.after ?? null,
  });
}
