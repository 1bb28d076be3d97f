// Flow logs on the wire: an agent's entry (policy/flow-log.ts) as stored, with its id and node, and
// the presenter from its row.
import { z } from '@hono/zod-openapi';
import type { flowLogs } from '../../db/schema/index.ts';
import { flowLogEntrySchema } from '../../policy/flow-log.ts';
import { reportedTime, storableText } from '../../policy/validation/storable-schema.ts';

export const flowSchema = flowLogEntrySchema.extend({ id: z.string(), nodeName: z.string() }).openapi('FlowLog');
export type FlowRecord = z.infer<typeof flowSchema>;

export function presentFlow(row: typeof flowLogs.$inferSelect): FlowRecord {
  return {
    id: row.id,
    nodeName: row.nodeName,
    startTime: row.startTime.toISOString(),
    endTime: row.endTime.toISOString(),
    endpoint: row.endpoint,
    direction: row.direction,
    remote: row.remote,
    protocol: row.protocol,
    port: row.port,
    kind: row.kind,
    rule: row.rule ?? null,
    ...(row.pendingVerdict && { pendingVerdict: row.pendingVerdict, pendingRule: row.pendingRule ?? null }),
    count: row.count,
    bytes: row.bytes,
  };
}

/** The filters the flow list and the live stream share (api/services/flows.ts flowConditions). */
export const flowFilterQuery = {
  since: reportedTime().optional().openapi({ description: 'Only buckets ending at or after this time' }),
  kind: flowLogEntrySchema.shape.kind.optional().openapi({ description: 'The verdict: allowed, denied or logged' }),
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name (a DNS label)')
    .max(63)
    .optional()
    .openapi({ description: 'Flows seen by pods of this namespace' }),
  endpoint: storableText().max(317).optional().openapi({ description: 'namespace/pod' }),
  policy: storableText()
    .max(512)
    .optional()
    .openapi({ description: "The deciding rule's policy, as flows name it", example: 'NetworkPolicy/shop/allow-frontend' }),
  port: z.coerce.number().int().min(0).max(65535).optional().openapi({ description: "The server's port (0 for protocols without ports)" }),
  protocol: z.coerce.number().int().min(0).max(255).optional().openapi({ description: 'IANA protocol number (6 TCP, 17 UDP, 132 SCTP)' }),
  pendingVerdict: z.enum(['allow', 'deny']).optional().openapi({ description: 'What staged policies would have decided' }),
};
