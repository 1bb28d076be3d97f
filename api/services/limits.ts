import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/index.ts';
import { tenants } from '../../db/schema/index.ts';
import type { LimitName, PlanLimits } from '../../policy/plan/limits.ts';
import { ApiError } from '../errors/api-error.ts';

/**
 * Reads the tenant's limits and locks its row, so concurrent writes of one tenant check their limits
 * one after another instead of both passing on the same count.
 */
export async function lockTenantLimits(tx: Tx, tenantId: string): Promise<PlanLimits> {
  const [tenant] = await tx.select({ limits: tenants.limits }).from(tenants).where(eq(tenants.id, tenantId)).for('update');
  if (!tenant) throw new ApiError('NOT_FOUND', 'tenant not found');
  return tenant.limits;
}

export function assertWithinLimit(limits: PlanLimits, limit: LimitName, usage: number, requested: number): void {
  if (requested > limits[limit]) {
    throw new ApiError('LIMIT_EXCEEDED', `plan limit ${limit} is ${limits[limit]}: ${usage} in use, ${requested} asked`, {
      limit,
      usage,
      requested,
    });
  }
}
