// Tenants: created with their owner and first API key in one transaction (sign-up, and the embedded
// default's demo tenant; the tenant id is chosen here so the transaction can run as it), an owner key
// minted for an existing one (the CLI), and the caller's tenant read with its usage.
import { count, eq, isNull } from 'drizzle-orm';
import { type Db, newId, withTenant } from '../../db/index.ts';
import { apiKeys, clusters, members, policies, tenants } from '../../db/schema/index.ts';
import { PLANS, type PlanName } from '../../policy/plan/limits.ts';
import { notFound } from '../errors/api-error.ts';
import { presentTenant } from '../schemas/tenant.ts';
import { recordAudit } from './audit.ts';
import { inTenant, type TenantContext } from './context.ts';
import { mintCredential } from './credentials.ts';

export interface NewTenant {
  tenantName: string;
  email: string;
  plan: PlanName;
}

export async function createTenant(db: Db, input: NewTenant) {
  const tenantId = newId();
  const memberId = newId();
  const credential = mintCredential('pal');
  return withTenant(db, tenantId, async (tx) => {
    const [tenant] = await tx.insert(tenants).values({ id: tenantId, name: input.tenantName, plan: input.plan, limits: PLANS[input.plan] }).returning();
    await tx.insert(members).values({ id: memberId, tenantId, email: input.email, role: 'owner' });
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
    const [clusterCount] = await tx.select({ n: count() }).from(clusters).where(isNull(clusters.deletedAt));
    const [policyCount] = await tx.select({ n: count() }).from(policies);
    return { ...presentTenant(tenant), usage: { clusters: clusterCount!.n, policies: policyCount!.n } };
  });
}
