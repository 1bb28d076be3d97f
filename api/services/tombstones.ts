// DELETE is idempotent (a retried or repeated delete succeeds, as Terraform expects), yet an id this
// tenant never had must still be 404 — the same answer another tenant's id gets. The audit log is the
// tombstone: a delete or revoke recorded for this tenant (RLS scopes the query) makes a repeat a 204.
import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../db/index.ts';
import { auditLog } from '../../db/schema/index.ts';
import { notFound } from '../errors/api-error.ts';

export async function assertDeletedEarlier(tx: Tx, resourceType: string, resourceId: string, what: string): Promise<void> {
  const [entry] = await tx
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(and(eq(auditLog.resourceType, resourceType), eq(auditLog.resourceId, resourceId), inArray(auditLog.action, ['delete', 'revoke'])))
    .limit(1);
  if (!entry) throw notFound(what);
}
