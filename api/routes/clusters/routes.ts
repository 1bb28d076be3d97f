import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { and, count, eq, isNull, sql } from 'drizzle-orm';
import { isUniqueViolation, newId, withTenant } from '../../../db/index.ts';
import { clusters, policies } from '../../../db/schema/index.ts';
import type { AppEnv } from '../../env.ts';
import { ApiError, unlessNotFound } from '../../errors/api-error.ts';
import { checkIfMatch, etagOf } from '../../http/etag.ts';
import { afterCursor, toPage } from '../../http/pagination.ts';
import { requireRole } from '../../middleware/auth.ts';
import { idempotencyHeader, idParam, ifMatchHeader, jsonContent, listQuery, page, writeErrors } from '../../schemas/common.ts';
import { recordAudit } from '../../services/audit.ts';
import { assertDeletedEarlier } from '../../services/tombstones.ts';
import { requireId } from '../../http/ids.ts';
import { findCluster } from '../../services/clusters.ts';
import { assertWithinLimit, lockTenantLimits } from '../../services/limits.ts';
import { announcePolicyChange } from '../../services/outbox.ts';
import { clusterInput, clusterSchema, presentCluster } from './schemas.ts';

const tags = ['clusters'];
const security = [{ apiKey: [] }];
const body = { content: { 'application/json': { schema: clusterInput } }, required: true };

const routes = {
  create: createRoute({
    method: 'post', path: '/v1/clusters', operationId: 'createCluster', summary: 'Register a cluster', tags, security,
    request: { headers: idempotencyHeader, body },
    responses: { 201: jsonContent(clusterSchema, 'Created'), ...writeErrors },
  }),
  list: createRoute({
    method: 'get', path: '/v1/clusters', operationId: 'listClusters', summary: 'List clusters', tags, security,
    request: { query: listQuery.extend({ name: clusterSchema.shape.name.optional(), provider: clusterSchema.shape.provider.optional(), status: clusterSchema.shape.status.optional() }) },
    responses: { 200: jsonContent(page(clusterSchema, 'ClusterPage'), 'A page of clusters'), ...writeErrors },
  }),
  get: createRoute({
    method: 'get', path: '/v1/clusters/{id}', operationId: 'getCluster', summary: 'Read a cluster', tags, security,
    request: { params: idParam },
    responses: { 200: jsonContent(clusterSchema, 'The cluster, with its ETag'), ...writeErrors },
  }),
  replace: createRoute({
    method: 'put', path: '/v1/clusters/{id}', operationId: 'replaceCluster', summary: 'Replace a cluster', tags, security,
    request: { params: idParam, headers: ifMatchHeader, body },
    responses: { 200: jsonContent(clusterSchema, 'Replaced'), ...writeErrors },
  }),
  delete: createRoute({
    method: 'delete', path: '/v1/clusters/{id}', operationId: 'deleteCluster', summary: 'Delete a cluster; repeating it succeeds', tags, security,
    request: { params: idParam },
    responses: { 204: { description: 'Deleted, or already gone' }, ...writeErrors },
  }),
};

function conflictOnName<T>(work: Promise<T>, name: string): Promise<T> {
  return work.catch((error: unknown) => {
    if (isUniqueViolation(error)) throw new ApiError('CONFLICT', `a cluster named ${name} exists`, { errors: [{ path: 'name', message: 'already in use' }] });
    throw error;
  });
}

export function registerClusterRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(routes.create, async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, 'editor');
    const input = c.req.valid('json');
    const row = await conflictOnName(
      withTenant(c.get('services').database.db, caller.tenantId, async (tx) => {
        const limits = await lockTenantLimits(tx, caller.tenantId);
        const [usage] = await tx.select({ n: count() }).from(clusters).where(isNull(clusters.deletedAt));
        assertWithinLimit(limits, 'clusters', usage!.n, usage!.n + 1);
        const [created] = await tx.insert(clusters).values({ id: newId(), tenantId: caller.tenantId, ...input }).returning();
        await recordAudit(tx, caller, { action: 'create', resourceType: 'cluster', resourceId: created!.id, after: presentCluster(created!) });
        // A new cluster gets its first (empty) bundle, so agents installed right away have one to verify.
        await announcePolicyChange(tx, caller.tenantId, created!.id);
        return created!;
      }),
      input.name,
    );
    c.header('etag', etagOf(row.version));
    return c.json(presentCluster(row), 201);
  });

  app.openapi(routes.list, async (c) => {
    const caller = c.get('caller');
    const query = c.req.valid('query');
    const rows = await withTenant(c.get('services').database.db, caller.tenantId, (tx) =>
      tx
        .select()
        .from(clusters)
        .where(
          and(
            isNull(clusters.deletedAt),
            afterCursor(clusters.id, query),
            query.name ? eq(clusters.name, query.name) : undefined,
            query.provider ? eq(clusters.provider, query.provider) : undefined,
            query.status ? eq(clusters.status, query.status) : undefined,
          ),
        )
        .orderBy(clusters.id)
        .limit(query.limit + 1),
    );
    return c.json(toPage(rows, query, presentCluster), 200);
  });

  app.openapi(routes.get, async (c) => {
    const caller = c.get('caller');
    const row = await withTenant(c.get('services').database.db, caller.tenantId, (tx) => findCluster(tx, c.req.valid('param').id));
    c.header('etag', etagOf(row.version));
    return c.json(presentCluster(row), 200);
  });

  app.openapi(routes.replace, async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, 'editor');
    const input = c.req.valid('json');
    const row = await conflictOnName(
      withTenant(c.get('services').database.db, caller.tenantId, async (tx) => {
        const before = await findCluster(tx, c.req.valid('param').id, { lock: true });
        checkIfMatch(c.req.header('if-match'), before.version);
        const [after] = await tx
          .update(clusters)
          .set({ ...input, version: sql`${clusters.version} + 1`, updatedAt: new Date() })
          .where(eq(clusters.id, before.id))
          .returning();
        await recordAudit(tx, caller, { action: 'update', resourceType: 'cluster', resourceId: before.id, before: presentCluster(before), after: presentCluster(after!) });
        return after!;
      }),
      input.name,
    );
    c.header('etag', etagOf(row.version));
    return c.json(presentCluster(row), 200);
  });

  app.openapi(routes.delete, async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, 'editor');
    const id = requireId(c.req.valid('param').id, 'cluster');
    await withTenant(c.get('services').database.db, caller.tenantId, async (tx) => {
      const before = await unlessNotFound(findCluster(tx, id, { lock: true }));
      if (!before) return assertDeletedEarlier(tx, 'cluster', id, 'cluster');
      await tx.update(clusters).set({ deletedAt: new Date() }).where(eq(clusters.id, before.id));
      // Its policies go with it (they count against the plan); its bundles and audit trail stay.
      await tx.delete(policies).where(eq(policies.clusterId, before.id));
      await recordAudit(tx, caller, { action: 'delete', resourceType: 'cluster', resourceId: before.id, before: presentCluster(before) });
    });
    return c.body(null, 204);
  });
}
