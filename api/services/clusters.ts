// Clusters: registered within the plan's cluster limit, read, renamed with If-Match, and deleted
// (soft: their bundles and audit trail stay; their policies go, as they count against the plan;
// EKS clusters onboarded through a role are offboarded by a job first).
import { count, eq, isNull, sql } from 'drizzle-orm';
import { isUniqueViolation, newId, sqlLiteral, sqlLiteralText, type Tx, tableRows } from '../../db/index.ts';
import { agentStatus, clusters, flowIntake, policies } from '../../db/schema/index.ts';
import { ApiError, notFound, unlessNotFound } from '../errors/api-error.ts';
import { checkIfMatch } from '../http/etag.ts';
import { requireId } from '../http/ids.ts';
import { type PageRequest, toPage } from '../http/pagination.ts';
import { presentAgentStatus } from '../schemas/agent-status.ts';
import { type ClusterInput, presentCluster } from '../schemas/clusters.ts';
import { recordAudit } from './audit.ts';
import { findCluster } from './cluster-scope.ts';
import { inTenant, readAsTenant, type TenantContext } from './context.ts';
import { assertWithinLimit, lockTenantLimits } from './limits.ts';
import { announceOffboarding, announceOnboarding, announcePolicyChange } from './outbox.ts';
import { requireRole } from './roles.ts';
import { assertDeletedEarlier } from './tombstones.ts';

export type ClusterRow = typeof clusters.$inferSelect;

function conflictOnName<T>(work: Promise<T>, name: string): Promise<T> {
  return work.catch((error: unknown) => {
    if (isUniqueViolation(error)) throw new ApiError('CONFLICT', `a cluster named ${name} exists`, { errors: [{ path: 'name', message: 'already in use' }] });
    throw error;
  });
}

export async function createCluster(ctx: TenantContext, input: ClusterInput): Promise<ClusterRow> {
  requireRole(ctx.caller.role, 'editor');
  return conflictOnName(
    inTenant(ctx, async (tx) => {
      const limits = await lockTenantLimits(tx, ctx.caller.tenantId);
      const [usage] = await tx.select({ n: count() }).from(clusters).where(isNull(clusters.deletedAt));
      assertWithinLimit(limits, 'clusters', usage!.n, usage!.n + 1);
      const [created] = await tx
        .insert(clusters)
        .values({ id: newId(), tenantId: ctx.caller.tenantId, ...input, aws: input.aws ?? null })
        .returning();
      await recordAudit(tx, ctx.caller, { action: 'create', resourceType: 'cluster', resourceId: created!.id, after: presentCluster(created!) });
      // A new cluster gets its first (empty) bundle, so agents installed right away have one to verify.
      await announcePolicyChange(tx, ctx.caller.tenantId, created!.id);
      // A cluster registered with a role is onboarded by a job the outbox makes durable.
      if (created!.aws) await announceOnboarding(tx, ctx.caller.tenantId, created!.id);
      return created!;
    }),
    input.name,
  );
}

export interface ClusterFilter extends PageRequest {
  name?: string | undefined;
  provider?: ClusterRow['provider'] | undefined;
  status?: ClusterRow['status'] | undefined;
}

// The clusters' reads are tenant reads (db/tenant-read.ts): one round trip each, their values written as
// literals. The list, read on every page of the console and by automation polling, is written as text.
const clusterRows = tableRows(clusters);
const equals = (column: 'name' | 'provider' | 'status', value: string | undefined) =>
  value === undefined ? undefined : `"${column}" = ${sqlLiteralText(value)}`;

export async function listClusters(ctx: TenantContext, filter: ClusterFilter) {
  const conditions = [
    'deleted_at is null',
    filter.cursor ? `id > ${sqlLiteralText(filter.cursor)}` : undefined,
    equals('name', filter.name),
    equals('provider', filter.provider),
    equals('status', filter.status),
  ].filter((condition) => condition !== undefined);
  const raw = await readAsTenant(
    ctx,
    `select ${clusterRows.columnList} from clusters where ${conditions.join(' and ')} order by id limit ${sqlLiteralText(filter.limit + 1)}`,
  );
  return toPage(clusterRows.rows(raw), filter, presentCluster);
}

export async function getCluster(ctx: TenantContext, input: { clusterId: string }): Promise<ClusterRow> {
  const id = requireId(input.clusterId, 'cluster');
  const [row] = clusterRows.rows(await readAsTenant(ctx, sql`select ${clusterRows.columns} from clusters where id = ${sqlLiteral(id)} and deleted_at is null`));
  if (!row) throw notFound('cluster');
  return row;
}

export async function replaceCluster(
  ctx: TenantContext,
  input: { clusterId: string; ifMatch: string | undefined; cluster: ClusterInput },
): Promise<ClusterRow> {
  requireRole(ctx.caller.role, 'editor');
  return conflictOnName(
    inTenant(ctx, async (tx) => {
      const before = await findCluster(tx, input.clusterId, { lock: true });
      checkIfMatch(input.ifMatch, before.version);
      // Onboarding again would race the job removing what onboarding made.
      if (before.status === 'offboarding') throw new ApiError('CONFLICT', 'the cluster is being offboarded (deleted); it cannot be changed');
      const aws = input.cluster.aws ?? null;
      // New AWS settings, or a failed onboarding the tenant has fixed: onboard again from the start.
      const onboardAgain = aws !== null && (before.status === 'failed' || JSON.stringify(aws) !== JSON.stringify(before.aws));
      const [after] = await tx
        .update(clusters)
        .set({
          ...input.cluster,
          aws,
          ...(onboardAgain && { status: 'pending' as const, onboardingFailure: null, compatibility: null }),
          version: sql`${clusters.version} + 1`,
          updatedAt: new Date(),
        })
        .where(eq(clusters.id, before.id))
        .returning();
      if (onboardAgain) await announceOnboarding(tx, ctx.caller.tenantId, before.id);
      await recordAudit(tx, ctx.caller, {
        action: 'update',
        resourceType: 'cluster',
        resourceId: before.id,
        before: presentCluster(before),
        after: presentCluster(after!),
      });
      return after!;
    }),
    input.cluster.name,
  );
}

/**
 * Deletes a cluster. An EKS cluster palisade onboarded through a role is offboarded first, by a job
 * (workers/onboarding/offboard-eks-cluster.ts): the cluster shows `offboarding` until the job has
 * removed the agent's objects and palisade's access entry, then goes away; repeating the DELETE while
 * it runs changes nothing, and after a failed offboarding it runs the job again. `force` deletes at
 * once, leaving what onboarding created in AWS and the cluster to the tenant (a role that is gone).
 */
export async function deleteCluster(ctx: TenantContext, input: { clusterId: string; force?: boolean }): Promise<'deleted' | 'offboarding'> {
  requireRole(ctx.caller.role, 'editor');
  const id = requireId(input.clusterId, 'cluster');
  return inTenant(ctx, async (tx) => {
    const before = await unlessNotFound(findCluster(tx, id, { lock: true }));
    if (!before) {
      await assertDeletedEarlier(tx, 'cluster', id, 'cluster');
      return 'deleted' as const;
    }
    if (before.aws && !input.force) {
      if (before.status === 'offboarding') return 'offboarding' as const;
      await tx.update(clusters).set({ status: 'offboarding', onboardingFailure: null, updatedAt: new Date() }).where(eq(clusters.id, before.id));
      await announceOffboarding(tx, ctx.caller.tenantId, before.id);
      await recordAudit(tx, ctx.caller, { action: 'delete', resourceType: 'cluster', resourceId: before.id, before: presentCluster(before) });
      return 'offboarding' as const;
    }
    await removeCluster(tx, before.id);
    await recordAudit(tx, ctx.caller, { action: 'delete', resourceType: 'cluster', resourceId: before.id, before: presentCluster(before) });
    return 'deleted' as const;
  });
}

/** The soft delete itself: its policies go with it (they count against the plan); its bundles and audit trail stay. */
export async function removeCluster(tx: Tx, clusterId: string): Promise<void> {
  await tx.update(clusters).set({ deletedAt: new Date() }).where(eq(clusters.id, clusterId));
  await tx.delete(policies).where(eq(policies.clusterId, clusterId));
}

/**
 * The latest status each node's agent reported, by node name, with what each node's flow cap folded
 * or dropped, and those counts for the whole cluster (every node that shipped flows, reporting status
 * or not).
 */
export async function listClusterAgents(ctx: TenantContext, input: { clusterId: string }) {
  const { rows, intake } = await inTenant(ctx, async (tx) => {
    const cluster = await findCluster(tx, input.clusterId);
    const rows = await tx.select().from(agentStatus).where(eq(agentStatus.clusterId, cluster.id)).orderBy(agentStatus.nodeName);
    const intake = await tx
      .select({ nodeName: flowIntake.nodeName, folded: flowIntake.folded, dropped: flowIntake.dropped })
      .from(flowIntake)
      .where(eq(flowIntake.clusterId, cluster.id));
    return { rows, intake };
  });
  const byNode = new Map(intake.map((node) => [node.nodeName, { folded: node.folded, dropped: node.dropped }]));
  const flows = intake.reduce((total, node) => ({ folded: total.folded + node.folded, dropped: total.dropped + node.dropped }), { folded: 0, dropped: 0 });
  return { items: rows.map((row) => presentAgentStatus(row, byNode.get(row.nodeName) ?? { folded: 0, dropped: 0 })), flows };
}

/**
 * The compatibility report of an EKS cluster onboarded through a role. 404 for a cluster that has none
 * to give (not connected through a role); 409 while onboarding has not inspected it yet, or failed
 * before it could (the cluster's onboardingFailure says why).
 */
export async function getClusterCompatibility(ctx: TenantContext, input: { clusterId: string }) {
  const cluster = await getCluster(ctx, input);
  if (!cluster.aws) throw new ApiError('NOT_FOUND', 'this cluster was not registered with an AWS role: it has no compatibility report');
  if (!cluster.compatibility) {
    const why =
      cluster.status === 'failed' ? `onboarding failed: ${cluster.onboardingFailure?.reason ?? 'see the cluster'}` : `onboarding is ${cluster.status}`;
    throw new ApiError('CONFLICT', `the cluster has not been inspected yet (${why})`);
  }
  return cluster.compatibility;
}
