import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { CompatibilityReport } from '../../workers/onboarding/compatibility.ts';
import type { OnboardingFailure } from '../../workers/onboarding/onboarding-failure.ts';
import { createdAt, id, tenantId, tenantIsolation, updatedAt } from './columns.ts';

export const clusterProviders = ['eks', 'gke', 'aks', 'kubeadm', 'k3s', 'kind', 'other'] as const;
/**
 * pending -> connected for clusters whose agents are installed by hand; an EKS cluster connected
 * through a role moves pending -> onboarding -> installing -> waiting-for-agents -> connected, or to
 * failed with the reason and next step in `onboardingFailure`. Deleting it moves it to offboarding
 * until the offboarding job has removed what onboarding created (then it is gone, or failed).
 * A text column (no check constraint): new statuses need no migration.
 */
export const clusterStatuses = ['pending', 'onboarding', 'installing', 'waiting-for-agents', 'connected', 'disconnected', 'failed', 'offboarding'] as const;

/** Where an EKS cluster is and the role palisade assumes to reach it (the tenant's account). */
export interface ClusterAwsSettings {
  region: string;
  clusterName: string;
  roleArn: string;
}

/** Clusters are soft-deleted: their bundles and audit trail stay, and the name becomes free again. */
export const clusters = pgTable(
  'clusters',
  {
    id: id(),
    tenantId: tenantId(),
    name: text('name').notNull(),
    provider: text('provider', { enum: clusterProviders }).notNull(),
    status: text('status', { enum: clusterStatuses }).notNull().default('pending'),
    /** EKS clusters connected through a role: null for every other cluster (agents installed by hand). */
    aws: jsonb('aws').$type<ClusterAwsSettings>(),
    /** What onboarding found (workers/onboarding/compatibility.ts): null until the cluster was inspected. */
    compatibility: jsonb('compatibility').$type<CompatibilityReport>(),
    /** Why onboarding stopped, while the status is failed: null otherwise. */
    onboardingFailure: jsonb('onboarding_failure').$type<OnboardingFailure>(),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('clusters_tenant_name_live').on(t.tenantId, t.name).where(sql`deleted_at is null`),
    index('clusters_tenant').on(t.tenantId),
    tenantIsolation('clusters', t.tenantId),
  ],
).enableRLS();
