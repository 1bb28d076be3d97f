import { bigint, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { clusters } from './clusters.ts';
import { id, tenantId, tenantIsolation } from './columns.ts';

/** The latest report of each node's agent, like OPA's status API: one row per cluster and node. */
export const agentStatus = pgTable(
  'agent_status',
  {
    id: id(),
    tenantId: tenantId(),
    clusterId: uuid('cluster_id')
      .notNull()
      .references(() => clusters.id),
    nodeName: text('node_name').notNull(),
    appliedRevision: bigint('applied_revision', { mode: 'number' }),
    inventoryHash: text('inventory_hash'),
    agentVersion: text('agent_version'),
    errors: jsonb('errors').$type<unknown[]>().notNull(),
    programs: jsonb('programs').$type<Record<string, unknown>>().notNull(),
    reportedAt: timestamp('reported_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('agent_status_node').on(t.tenantId, t.clusterId, t.nodeName), tenantIsolation('agent_status', t.tenantId)],
).enableRLS();
