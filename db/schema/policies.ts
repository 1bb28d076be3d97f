import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { NormalisedResource } from '../../policy/kinds/define.ts';
import { clusters } from './clusters.ts';
import { createdAt, id, tenantId, tenantIsolation, updatedAt } from './columns.ts';

/**
 * A policy object, one per kind/namespace/name in a cluster: `writtenManifest` exactly as the tenant
 * wrote it (what reads return, so Terraform and `get -o yaml | apply` see no drift), `manifest` with
 * the kind's defaults applied (what everything that interprets the object reads). `ruleCount` and
 * `resource` (the object in the IR, as the write path computed it) are kept so plan-limit and tier
 * checks and bundle builds never re-parse the stored manifests.
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
    /** Null only for rows written before the column existed: their written form was not kept, so reads give `manifest`. */
    writtenManifest: jsonb('written_manifest').$type<Record<string, unknown>>(),
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
