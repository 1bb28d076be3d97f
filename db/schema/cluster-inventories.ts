import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { clusters } from './clusters.ts';
import { id, tenantId, tenantIsolation } from './columns.ts';

/**
 * The latest endpoint inventory (namespaces and pods, policy/inventory.ts) an agent of each cluster
 * reported: what `GET /v1/clusters/{id}/explain` resolves selectors against. One row per cluster,
 * replaced on every report; `hash` is inventoryHash() of the stored inventory, computed by the API.
 */
export const clusterInventories = pgTable(
  'cluster_inventories',
  {
    id: id(),
    tenantId: tenantId(),
    clusterId: uuid('cluster_id')
      .notNull()
      .references(() => clusters.id),
    inventory: jsonb('inventory').$type<unknown>().notNull(),
    hash: text('hash').notNull(),
    /** The node whose agent sent it. */
    reportedBy: text('reported_by').notNull(),
    reportedAt: timestamp('reported_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('cluster_inventories_cluster').on(t.clusterId),
    index('cluster_inventories_tenant').on(t.tenantId),
    tenantIsolation('cluster_inventories', t.tenantId),
  ],
).enableRLS();
