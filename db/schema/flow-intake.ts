import { bigint, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { clusters } from './clusters.ts';
import { id, tenantId, tenantIsolation, updatedAt } from './columns.ts';

/**
 * How much flow log each node's agent has shipped: the rows it added in the current minute (checked
 * against the plan's flowRowsPerAgentMinute) and, since it first shipped, how many entries were folded
 * into rows already stored or dropped because it was over that cap. One row per cluster and node; the
 * row is locked while a batch is stored, so one agent's concurrent batches count one after another.
 */
export const flowIntake = pgTable(
  'flow_intake',
  {
    id: id(),
    tenantId: tenantId(),
    clusterId: uuid('cluster_id')
      .notNull()
      .references(() => clusters.id),
    nodeName: text('node_name').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true, mode: 'date' }).notNull(),
    windowRows: integer('window_rows').notNull(),
    folded: bigint('folded', { mode: 'number' }).notNull().default(0),
    dropped: bigint('dropped', { mode: 'number' }).notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('flow_intake_node').on(t.tenantId, t.clusterId, t.nodeName), tenantIsolation('flow_intake', t.tenantId)],
).enableRLS();
