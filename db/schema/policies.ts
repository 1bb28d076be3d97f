import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { NormalisedResource } from '../../policy/kinds/define.ts';
import { clusters } from './clusters.ts';
import { createdAt, id, tenantId, tenantIsolation, updatedAt } from './columns.ts';

/**
 * A policy object as the tenant wrote it, normalised (defaults applied), one per kind/namespace/name
 * in a cluster. `ruleCount` and `resource` (the object in the IR, as the write path computed it) are
 * kept so plan-limit and tier checks and bundle builds never re-parse the stored manifests.
 */
export const policies = pgTable(
  'policies',
  {
    id: id(),
    tenantId: tenantId(),
    clusterId: uuid('cluster_id')
      .notNull()
      .references(() => clusters.id),
    apiVersion: text('api_version').notNull(),
    kind: text('kind').notNull(),
    namespace: text('namespace').notNull().default(''),
    name: text('name').notNull(),
    manifest: jsonb('manifest').$type<Record<string, unknown>>().notNull(),
    ruleCount: integer('rule_count').notNull(),
    /** Null only for rows written before the column existed, until the start-up backfill reaches them. */
    resource: jsonb('resource').$type<NormalisedResource>(),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // apiVersion is part of the identity: Calico's and Kubernetes' NetworkPolicy share a kind name.
    uniqueIndex('policies_identity').on(t.tenantId, t.clusterId, t.apiVersion, t.kind, t.namespace, t.name),
    index('policies_tenant').on(t.tenantId),
    tenantIsolation('policies', t.tenantId),
  ],
).enableRLS();
