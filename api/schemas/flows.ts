// Flow logs on the wire: an agent's entry (policy/flow-log.ts) as stored, with its id and node, and
// the presenter from its row.
import { z } from '@hono/zod-openapi';
import type { flowLogs } from '../../db/schema/index.ts';
import { flowLogEntrySchema } from '../../policy/flow-log.ts';

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
