import { sql } from 'drizzle-orm';
import { jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { PlanLimits } from '../../policy/plan/limits.ts';
import { createdAt, tenantIsolation } from './columns.ts';

/**
 * A customer organisation. Its limits are copied from its plan at sign-up so a plan change is explicit.
 * Read them with policy/plan/limits.ts tenantLimits: a row may predate a limit (Partial).
 */
export const tenants = pgTable(
  'tenants',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    plan: text('plan').notNull(),
    limits: jsonb('limits').$type<Partial<PlanLimits>>().notNull(),
    /**
     * What the IAM roles this tenant lets us assume must require as sts:ExternalId (the confused-deputy
     * guard: another tenant cannot name this tenant's role). Made by the database once, at insert
     * (and for tenants older than the column, when it was added); never changes, never chosen by the tenant.
     */
    awsExternalId: text('aws_external_id').notNull().default(sql`('palisade-' || replace(gen_random_uuid()::text, '-', ''))`),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('tenants_aws_external_id').on(t.awsExternalId), tenantIsolation('tenants', t.id)],
).enableRLS();
