import { bigint, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { FlowRule } from '../../policy/flow-log.ts';
import { clusters } from './clusters.ts';
import { id, tenantId, tenantIsolation } from './columns.ts';

/** Aggregated flow logs as agents ship them (policy/flow-log.ts), one row per entry. */
export const flowLogs = pgTable(
  'flow_logs',
  {
    id: id(),
    tenantId: tenantId(),
    clusterId: uuid('cluster_id')
      .notNull()
      .references(() => clusters.id),
    nodeName: text('node_name').notNull(),
    startTime: timestamp('start_time', { withTimezone: true, mode: 'date' }).notNull(),
    endTime: timestamp('end_time', { withTimezone: true, mode: 'date' }).notNull(),
    endpoint: text('endpoint').notNull(),
    direction: text('direction', { enum: ['ingress', 'egress'] }).notNull(),
    remote: text('remote').notNull(),
    protocol: integer('protocol').notNull(),
    port: integer('port').notNull(),
    kind: text('kind', { enum: ['allowed', 'denied', 'logged'] }).notNull(),
    rule: jsonb('rule').$type<FlowRule | null>(),
    pendingVerdict: text('pending_verdict', { enum: ['allow', 'deny'] }),
    pendingRule: jsonb('pending_rule').$type<FlowRule | null>(),
    count: integer('count').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
  },
  (t) => [index('flow_logs_cluster_time').on(t.tenantId, t.clusterId, t.endTime), tenantIsolation('flow_logs', t.tenantId)],
).enableRLS();
