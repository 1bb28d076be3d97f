import { jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
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
    createdAt: createdAt(),
  },
  (t) => [tenantIsolation('tenants', t.id)],
).enableRLS();
