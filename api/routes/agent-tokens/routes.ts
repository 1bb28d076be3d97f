// Agent tokens: the credential a cluster's DaemonSet pulls bundles with. Bound to one cluster.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { and, eq, isNull } from 'drizzle-orm';
import { newId, withTenant } from '../../../db/index.ts';
import { agentTokens } from '../../../db/schema/index.ts';
import type { AppEnv } from '../../env.ts';
import { requireId } from '../../http/ids.ts';
import { toPage } from '../../http/pagination.ts';
import { requireRole } from '../../middleware/auth.ts';
import { commonErrors, idempotencyHeader, idParam, jsonContent, listQuery, page, timestamp } from '../../schemas/common.ts';
import { recordAudit } from '../../services/audit.ts';
import { assertDeletedEarlier } from '../../services/tombstones.ts';
import { findCluster, pageInCluster } from '../../services/clusters.ts';
import { mintCredential } from '../../services/credentials.ts';

const tags = ['agent-tokens'];
const security = [{ apiKey: [] }];

const agentTokenSchema = z
  .object({ id: z.string(), clusterId: z.string(), name: z.string(), prefix: z.string(), createdAt: timestamp, lastUsedAt: timestamp.nullable() })
  .openapi('AgentToken');
const agentTokenInput = z.strictObject({ name: z.string().trim().min(1).max(100).default('agent') }).openapi('AgentTokenInput');

function present(row: typeof agentTokens.$inferSelect): z.infer<typeof agentTokenSchema> {
  return {
    id: row.id,
    clusterId: row.clusterId,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

const tokenParams = idParam.extend({ tokenId: z.string().openapi({ param: { name: 'tokenId', in: 'path' } }) });

const routes = {
  create: createRoute({
    method: 'post', path: '/v1/clusters/{id}/agent-tokens', operationId: 'createAgentToken',
    summary: "Mint a token for the cluster's agents (the secret is in this response only)", tags, security,
    request: { params: idParam, headers: idempotencyHeader, body: { content: { 'application/json': { schema: agentTokenInput } }, required: false } },
    responses: { 201: jsonContent(agentTokenSchema.extend({ token: z.string() }).openapi('NewAgentToken'), 'Created'), ...commonErrors },
  }),
  list: createRoute({
    method: 'get', path: '/v1/clusters/{id}/agent-tokens', operationId: 'listAgentTokens', summary: "List the cluster's live agent tokens", tags, security,
    request: { params: idParam, query: listQuery },
    responses: { 200: jsonContent(page(agentTokenSchema, 'AgentTokenPage'), 'A page of tokens'), ...commonErrors },
  }),
  revoke: createRoute({
    method: 'delete', path: '/v1/clusters/{id}/agent-tokens/{tokenId}', operationId: 'revokeAgentToken', summary: 'Revoke an agent token; repeating it succeeds', tags, security,
    request: { params: tokenParams },
    responses: { 204: { description: 'Revoked, or already gone' }, ...commonErrors },
  }),
};

export function registerAgentTokenRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(routes.create, async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, 'admin');
    // The body is optional: without one (no JSON content type) the validator passes nothing through.
    const name = (c.req.valid('json') as z.infer<typeof agentTokenInput> | undefined)?.name ?? 'agent';
    const credential = mintCredential('pag');
    const body = await withTenant(c.get('services').database.db, caller.tenantId, async (tx) => {
      const cluster = await findCluster(tx, c.req.valid('param').id);
      const [row] = await tx
        .insert(agentTokens)
        .values({ id: newId(), tenantId: caller.tenantId, clusterId: cluster.id, name, prefix: credential.prefix, hash: credential.hash })
        .returning();
      await recordAudit(tx, caller, { action: 'create', resourceType: 'agent-token', resourceId: row!.id, after: present(row!) });
      return { ...present(row!), token: credential.secret };
    });
    return c.json(body, 201);
  });

  app.openapi(routes.list, async (c) => {
    const caller = c.get('caller');
    const query = c.req.valid('query');
    const rows = await withTenant(c.get('services').database.db, caller.tenantId, (tx) =>
      pageInCluster(tx, c.req.valid('param').id, agentTokens, query, isNull(agentTokens.revokedAt)),
    );
    return c.json(toPage(rows, query, present), 200);
  });

  app.openapi(routes.revoke, async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, 'admin');
    const params = c.req.valid('param');
    const clusterId = requireId(params.id, 'cluster');
    const tokenId = requireId(params.tokenId, 'agent token');
    await withTenant(c.get('services').database.db, caller.tenantId, async (tx) => {
      const [row] = await tx
        .update(agentTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(agentTokens.id, tokenId), eq(agentTokens.clusterId, clusterId), isNull(agentTokens.revokedAt)))
        .returning();
      if (row) await recordAudit(tx, caller, { action: 'revoke', resourceType: 'agent-token', resourceId: row.id, before: present(row) });
      else await assertDeletedEarlier(tx, 'agent-token', tokenId, 'agent token');
    });
    return c.body(null, 204);
  });
}
