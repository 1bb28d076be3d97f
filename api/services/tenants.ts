// Tenants: created with their owner and first API key in one transaction (sign-up, and the embedded
// default's demo tenant; the tenant id is chosen here so the transaction can run as it), an owner key
// minted for an existing one (the CLI), the caller's tenant read with its usage, and its plan changed
// by its owner.
import { count, eq, isNull, max } from 'drizzle-orm';
import { type Db, newId, type Tx, withTenant } from '../../db/index.ts';
import { apiKeys, clusters, members, policies, tenants } from '../../db/schema/index.ts';
import { type LimitName, PLANS, type PlanName } from '../../policy/plan/limits.ts';
import { notFound } from '../errors/api-error.ts';
import { type PlanChangeInput, presentTenant } from '../schemas/tenant.ts';
import { recordAudit } from './audit.ts';
import { inTenant, type TenantContext } from './context.ts';
import { mintCredential } from './credentials.ts';
import { assertWithinLimit } from './limits.ts';
import { hashPassword } from './passwords.ts';
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
 * replaced by the plan's). A downgrade that what the tenant already stores would exceed is refused,
 * naming the limit, so no stored object is ever over its tenant's limits.
 */
export async function changeTenantPlan(ctx: TenantContext, input: PlanChangeInput) {
  requireRole(ctx.caller.role, 'owner');
  const limits = PLANS[input.plan];
  return inTenant(ctx, async (tx) => {
    // Locked like every limit check (limits.ts), so a concurrent write cannot slip past the new limits.
    const [before] = await tx.select().from(tenants).where(eq(tenants.id, ctx.caller.tenantId)).for('update');
    if (!before) throw notFound('tenant');
    const usage = await usageOf(tx);
    const checks: [LimitName, number][] = [
      ['clusters', usage.clusters],
      ['policies', usage.policies],
      ['rulesPerPolicy', usage.largestPolicyRules],
    ];
    for (const [limit, used] of checks) assertWithinLimit(limits, limit, used, used, { path: 'plan', detail: `the ${input.plan} plan` });
    const [after] = await tx.update(tenants).set({ plan: input.plan, limits }).where(eq(tenants.id, ctx.caller.tenantId)).returning();
    await recordAudit(tx, ctx.caller, {
      action: 'update',
      resourceType: 'tenant',
      resourceId: after!.id,
      before: presentTenant(before),
      after: presentTenant(after!),
    });
    return { ...presentTenant(after!), usage: { clusters: usage.clusters, policies: usage.policies } };
  });
}

async function usageOf(tx: Tx) {
  const [clusterCount] = await tx.select({ n: count() }).from(clusters).where(isNull(clusters.deletedAt));
  const [policyCount] = await tx.select({ n: count(), largestRules: max(policies.ruleCount) }).from(policies);
  return { clusters: clusterCount!.n, policies: policyCount!.n, largestPolicyRules: policyCount!.largestRules ?? 0 };
}
