// Agent tokens: the credential a cluster's DaemonSet pulls bundles with, bound to one cluster. Minted
// (the secret is returned once), listed, read by id (what `terraform import` gives), and revoked; a
// repeated revoke succeeds.
import { and, eq, isNull, sql } from 'drizzle-orm';
import { newId, sqlLiteral, tableRows } from '../../db/index.ts';
import { agentTokens } from '../../db/schema/index.ts';
import { notFound } from '../errors/api-error.ts';
import { requireId } from '../http/ids.ts';
import { type PageRequest, toPage } from '../http/pagination.ts';
import { type AgentTokenRecord, presentAgentToken } from '../schemas/agent-tokens.ts';
import { recordAudit } from './audit.ts';
import { findCluster, readClusterPage } from './cluster-scope.ts';
import { inTenant, readAsTenant, type TenantContext } from './context.ts';
import { mintCredential } from './credentials.ts';
import { requireRole } from './roles.ts';
import { assertDeletedEarlier } from './tombstones.ts';

export async function createAgentToken(ctx: TenantContext, input: { clusterId: string; name: string }): Promise<AgentTokenRecord & { token: string }> {
  requireRole(ctx.caller.role, 'admin');
  const credential = mintCredential('pag');
  return inTenant(ctx, async (tx) => {
    const cluster = await findCluster(tx, input.clusterId);
    const [row] = await tx
      .insert(agentTokens)
      .values({ id: newId(), tenantId: ctx.caller.tenantId, clusterId: cluster.id, name: input.name, prefix: credential.prefix, hash: credential.hash })
      .returning();
    const token = presentAgentToken(row!);
    await recordAudit(tx, ctx.caller, { action: 'create', resourceType: 'agent-token', resourceId: token.id, after: token });
    return { ...token, token: credential.secret };
  });
}

export async function listAgentTokens(ctx: TenantContext, input: { clusterId: string; page: PageRequest }) {
  const rows = await readClusterPage(ctx, input.clusterId, agentTokens, input.page, isNull(agentTokens.revokedAt));
  return toPage(rows, input.page, presentAgentToken);
}

const agentTokenRows = tableRows(agentTokens);

/** One live token of the cluster (never its secret); a revoked one is gone. A tenant read (db/tenant-read.ts): one round trip. */
export async function getAgentToken(ctx: TenantContext, input: { clusterId: string; tokenId: string }): Promise<AgentTokenRecord> {
  const clusterId = requireId(input.clusterId, 'cluster');
  const tokenId = requireId(input.tokenId, 'agent token');
  const [row] = agentTokenRows.rows(
    await readAsTenant(
      ctx,
      sql`select ${agentTokenRows.columns} from agent_tokens where id = ${sqlLiteral(tokenId)} and cluster_id = ${sqlLiteral(clusterId)} and revoked_at is null`,
    ),
  );
  if (!row) throw notFound('agent token');
  return presentAgentToken(row);
}

export async function revokeAgentToken(ctx: TenantContext, input: { clusterId: string; tokenId: string }): Promise<void> {
  requireRole(ctx.caller.role, 'admin');
  const clusterId = requireId(input.clusterId, 'cluster');
  const tokenId = requireId(input.tokenId, 'agent token');
  await inTenant(ctx, async (tx) => {
    const [row] = await tx
      .update(agentTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(agentTokens.id, tokenId), eq(agentTokens.clusterId, clusterId), isNull(agentTokens.revokedAt)))
      .returning();
    if (row) await recordAudit(tx, ctx.caller, { action: 'revoke', resourceType: 'agent-token', resourceId: row.id, before: presentAgentToken(row) });
    else await assertDeletedEarlier(tx, 'agent-token', tokenId, 'agent token');
  });
}
