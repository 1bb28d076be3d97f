import { z } from '@hono/zod-openapi';
import type { tenants } from '../../../db/schema/index.ts';
import { timestamp } from '../../schemas/common.ts';

export const tenantSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    plan: z.string(),
    limits: z.object({ clusters: z.number(), policies: z.number(), rulesPerPolicy: z.number() }),
    createdAt: timestamp,
  })
  .openapi('Tenant');

export function presentTenant(row: typeof tenants.$inferSelect): z.infer<typeof tenantSchema> {
  return { id: row.id, name: row.name, plan: row.plan, limits: row.limits, createdAt: row.createdAt.toISOString() };
}
