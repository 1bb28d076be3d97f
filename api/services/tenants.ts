// Tenants: created with their owner and first API key in one transaction (sign-up, and the embedded
// default's demo tenant; the tenant id is chosen here so the transaction can run as it), an owner key
// minted for an existing one (the CLI), the caller's tenant read with its usage, and its plan changed
// by its owner.
import { count, eq, isNull } from 'drizzle-orm';
import { type Db, newId, type Tx, withTenant } from '../../db/index.ts';
import { apiKeys, clusters, members, policies, tenants } from '../../db/schema/index.ts';
import { PLANS, type PlanName } from '../../policy/plan/limits.ts';
import { ApiError, notFound } from '../errors/api-error.ts';
import { type PlanChangeInput, presentTenant } from '../schemas/tenant.ts';
import { recordAudit } from './audit.ts';
import { inTenant, type TenantContext } from './context.ts';
import { mintCredential } from './credentials.ts';
import { hashPassword } from './passwords.ts';
import { type ExceededLimit, exceededLimits, planUsageOf } from './plan-usage.ts';
import { requireRole } from './roles.ts';

export interface NewTenant {
  tenantName: string;
  email: string;
  plan: PlanName;
  /** The owner's console password; without one the owner reaches the API with the key alone. */
  password?: string | undefined;
}

export async function createTenant(db: Db, input: NewTenant) {
  const tenantId = newId();
  const memberId = newId();
  const credential = mintCredential('pal');
  // Hashed before the transaction opens: scrypt takes tens of milliseconds, no reason to hold a connection.
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return withTenant(db, tenantId, async (tx) => {
    const [tenant] = await tx.insert(tenants).values({ id: tenantId, name: input.tenantName, plan: input.plan, limits: PLANS[input.plan] }).returning();
    await tx.insert(members).values({ id: memberId, tenantId, email: input.email, role: 'owner', passwordHash });
    const [key] = await tx
      .insert(apiKeys)
      .values({ id: newId(), tenantId, memberId, name: 'owner key', role: 'owner', prefix: credential.prefix, hash: credential.hash })
      .returning();
    await recordAudit(tx, { tenantId, actor: `member:${memberId}` }, { action: 'create', resourceType: 'tenant', resourceId: tenantId, after: tenant });
    return { tenant: tenant!, apiKey: key!, secret: credential.secret };
  });
}

/** A new owner key for an existing tenant (the `mint-key` command, for a demo tenant whose key was lost). */
export async function mintOwnerKey(db: Db, tenantId: string, name: string) {
  const credential = mintCredential('pal');
  await withTenant(db, tenantId, async (tx) => {
    const [key] = await tx.insert(apiKeys).values({ id: newId(), tenantId, name, role: 'owner', prefix: credential.prefix, hash: credential.hash }).returning();
    await recordAudit(
      tx,
      { tenantId, actor: 'cli' },
      { action: 'create', resourceType: 'api-key', resourceId: key!.id, after: { name, role: 'owner', prefix: key!.prefix } },
    );
  });
  return credential.secret;
}

/** The caller's tenant, its plan limits and how much of them it uses. */
export async function getTenantWithUsage(ctx: TenantContext) {
  return inTenant(ctx, async (tx) => {
    const [tenant] = await tx.select().from(tenants).where(eq(tenants.id, ctx.caller.tenantId));
    if (!tenant) throw notFound('tenant');
    const usage = await usageOf(tx);
    return { ...presentTenant(tenant), usage: { clusters: usage.clusters, policies: usage.policies } };
  });
}

/**
 * Owner only: moves the tenant to another plan, its limits with it (limits negotiated before are
 * replaced by the plan's). A downgrade that what the tenant already stores would exceed is refused
 * with every limit it would exceed, its usage and what uses the most, so no stored object is ever
 * over its tenant's limits and the owner sees all there is to shrink at once.
 */
export async function changeTenantPlan(ctx: TenantContext, input: PlanChangeInput) {
  requireRole(ctx.caller.role, 'owner');
  const limits = PLANS[input.plan];
  return inTenant(ctx, async (tx) => {
    // Locked like every limit check (limits.ts), so a concurrent write cannot slip past the new limits.
    const [before] = await tx.select().from(tenants).where(eq(tenants.id, ctx.caller.tenantId)).for('update');
    if (!before) throw notFound('tenant');
    const usage = await planUsageOf(tx);
    const exceeded = exceededLimits(usage, limits);
    if (exceeded.length > 0) throw downgradeRefused(input.plan, exceeded);
    const [after] = await tx.update(tenants).set({ plan: input.plan, limits }).where(eq(tenants.id, ctx.caller.tenantId)).returning();
    await recordAudit(tx, ctx.caller, {
      action: 'update',
      resourceType: 'tenant',
      resourceId: after!.id,
      before: presentTenant(before),
      after: presentTenant(after!),
    });
    return { ...presentTenant(after!), usage: { clusters: usage.clusters.usage, policies: usage.policies.usage } };
  });
}

/** 422 naming each exceeded limit; `limit` and `usage` carry the first, as every other limit refusal does. */
function downgradeRefused(plan: PlanName, exceeded: readonly ExceededLimit[]): ApiError {
  const messages = exceeded.map(
    ({ limit, usage, allowed, where }) => `plan limit ${limit} is ${allowed} on the ${plan} plan: ${usage} in use${where ? ` (${where})` : ''}`,
  );
  const first = exceeded[0]!;
  return new ApiError('LIMIT_EXCEEDED', messages.join('; '), {
    limit: first.limit,
    usage: first.usage,
    requested: first.usage,
    exceeded: exceeded.map(({ limit, usage, allowed }) => ({ limit, usage, allowed })),
    errors: messages.map((message) => ({ path: 'plan', message })),
  });
}

/** Clusters and policies stored: the usage the tenant's page shows. */
async function usageOf(tx: Tx) {
  const [clusterCount] = await tx.select({ n: count() }).from(clusters).where(isNull(clusters.deletedAt));
  const [policyCount] = await tx.select({ n: count() }).from(policies);
  return { clusters: clusterCount!.n, policies: policyCount!.n };
}
