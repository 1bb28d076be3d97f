// Plan limits at write time: the tenant's limits, read under a lock, and the one refusal every limit
// check gives (422 naming the limit, the usage and the asked value).
import { eq } from 'drizzle-orm';
import { statement, type Tx } from '../../db/index.ts';
import { tenants } from '../../db/schema/index.ts';
import { type LimitName, type PlanLimits, tenantLimits } from '../../policy/plan/limits.ts';
import { ApiError } from '../errors/api-error.ts';

const lockTenant = statement('lock-tenant-limits', (tx, values: { tenantId: string }) =>
  tx.select({ plan: tenants.plan, limits: tenants.limits }).from(tenants).where(eq(tenants.id, values.tenantId)).for('update'),
);

/**
 * Reads the tenant's limits and locks its row, so concurrent writes of one tenant check their limits
 * one after another instead of both passing on the same count.
 */
export async function lockTenantLimits(tx: Tx, tenantId: string): Promise<PlanLimits> {
  const [tenant] = await lockTenant(tx, { tenantId });
  if (!tenant) throw new ApiError('NOT_FOUND', 'tenant not found');
  return tenantLimits(tenant.plan, tenant.limits);
}

/** Where a refusal points: the field of the written object that asks for more (`spec.egress.rate`), and what asks. */
export interface LimitContext {
  path?: string;
  detail?: string;
}

/** Refuses `requested` over the limit, writing nothing: 422 naming the limit, the usage and the asked value. */
export function assertWithinLimit(limits: PlanLimits, limit: LimitName, usage: number, requested: number, context: LimitContext = {}): void {
  if (requested > limits[limit]) {
    const message = `plan limit ${limit} is ${limits[limit]}: ${usage} in use, ${requested} asked${context.detail ? ` (${context.detail})` : ''}`;
    throw new ApiError('LIMIT_EXCEEDED', message, {
      limit,
      usage,
      requested,
      ...(context.path !== undefined && { errors: [{ path: context.path, message }] }),
    });
  }
}
