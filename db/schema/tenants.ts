import { jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, tenantIsolation } from './columns.ts';
import type { PlanLimits } from '../../policy/plan/limits.ts';

/** A customer organisation. Its limits are copied from its plan at sign-up so a plan change is explicit. */
export const tenants = pgTable(
  'tenants',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    plan: text('plan').notNull(),
    limits: jsonb('limits').$type<PlanLimits>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [tenantIsolation('tenants', t.id)],
).enableRLS();
