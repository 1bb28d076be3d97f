// The audit log on the wire: who did what to which object, with the object before and after, and the
// filters the list takes.
import { z } from '@hono/zod-openapi';
import type { auditLog } from '../../db/schema/index.ts';
import { reportedTime, storableText } from '../../policy/validation/storable-schema.ts';
import { listQuery, timestamp } from './common.ts';

export const auditEventSchema = z
  .object({
    id: z.string(),
    at: timestamp,
    actor: z.string().openapi({ description: 'A member\'s email, "api-key:<id>", or the system part that acted' }),
    action: z.string().openapi({ example: 'update' }),
    resourceType: z.string().openapi({ example: 'policy' }),
    resourceId: z.string(),
    before: z.unknown().nullable(),
    after: z.unknown().nullable(),
  })
  .openapi('AuditEvent');
export type AuditEventRecord = z.infer<typeof auditEventSchema>;

export const auditEventQuery = listQuery.extend({
  resourceType: storableText().max(100).optional(),
  resourceId: storableText().max(200).optional(),
  actor: storableText().max(254).optional(),
  action: storableText().max(50).optional(),
  since: reportedTime().optional().openapi({ description: 'Only events at or after this time' }),
  until: reportedTime().optional().openapi({ description: 'Only events before this time' }),
  cursor: z.uuid().optional().openapi({ description: 'nextCursor from the previous page (pages go back in time)' }),
});
export type AuditEventQuery = z.infer<typeof auditEventQuery>;

export function presentAuditEvent(row: typeof auditLog.$inferSelect): AuditEventRecord {
  return {
    id: row.id,
    at: row.createdAt.toISOString(),
    actor: row.actor,
    action: row.action,
    resourceType: row.resourceType,
    resourceId: row.resourceId,
    before: row.before ?? null,
    after: row.after ?? null,
  };
}
