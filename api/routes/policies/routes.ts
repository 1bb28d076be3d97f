// Policies: created in a cluster, then addressed by id (what Terraform imports). Bodies are JSON or
// YAML; every change writes the policy, an audit entry and an outbox row in one transaction.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { count, eq, sql } from 'drizzle-orm';
import { stringify } from 'yaml';
import { isUniqueViolation, newId, withTenant } from '../../../db/index.ts';
import { policies } from '../../../db/schema/index.ts';
import type { AppEnv } from '../../env.ts';
import { ApiError, notFound, validationFailed } from '../../errors/api-error.ts';
import { checkIfMatch, etagOf } from '../../http/etag.ts';
import { requireId } from '../../http/ids.ts';
import { toPage } from '../../http/pagination.ts';
import { readDocument } from '../../http/read-document.ts';
import { requireRole } from '../../middleware/auth.ts';
import { idempotencyHeader, idParam, ifMatchHeader, jsonContent, listQuery, page, writeErrors } from '../../schemas/common.ts';
import { recordAudit } from '../../services/audit.ts';
import { assertDeletedEarlier } from '../../services/tombstones.ts';
import { findCluster, pageInCluster } from '../../services/clusters.ts';
import { assertWithinLimit, lockTenantLimits } from '../../services/limits.ts';
import { announcePolicyChange } from '../../services/outbox.ts';
import { assertRulesPerEndpoint } from '../../services/endpoint-rules.ts';
import { assertObjectLimits } from '../../services/object-limits.ts';
import { acceptPolicyDocument, assertTierEmpty, assertTiersExist } from '../../services/policies.ts';
import { policyBody, policyManifest, policySchema, presentPolicy } from './schemas.ts';

const tags = ['policies'];
const security = [{ apiKey: [] }];

const routes = {
  create: createRoute({
    method: 'post', path: '/v1/clusters/{id}/policies', operationId: 'createPolicy', summary: 'Create a policy in a cluster', tags, security,
    request: { params: idParam, headers: idempotencyHeader, body: policyBody },
    responses: { 201: jsonContent(policySchema, 'Created, with its ETag'), ...writeErrors },
  }),
  list: createRoute({
    method: 'get', path: '/v1/clusters/{id}/policies', operationId: 'listPolicies', summary: "List a cluster's policies", tags, security,
    request: { params: idParam, query: listQuery.extend({ kind: z.string().optional(), namespace: z.string().optional(), name: z.string().optional() }) },
    responses: { 200: jsonContent(page(policySchema, 'PolicyPage'), 'A page of policies'), ...writeErrors },
  }),
  get: createRoute({
    method: 'get', path: '/v1/policies/{id}', operationId: 'getPolicy', summary: 'Read a policy', tags, security,
    request: { params: idParam },
    responses: {
      200: {
        description: 'The policy, with its ETag; with Accept: application/yaml, its manifest as YAML',
        content: { 'application/json': { schema: policySchema }, 'application/yaml': { schema: z.string() } },
      },
      ...writeErrors,
    },
  }),
  replace: createRoute({
    method: 'put', path: '/v1/policies/{id}', operationId: 'replacePolicy', summary: 'Replace a policy (kind, namespace and name stay)', tags, security,
    request: { params: idParam, headers: ifMatchHeader, body: policyBody },
    responses: { 200: jsonContent(policySchema, 'Replaced'), ...writeErrors },
  }),
  delete: createRoute({
    method: 'delete', path: '/v1/policies/{id}', operationId: 'deletePolicy', summary: 'Delete a policy; repeating it succeeds', tags, security,
    request: { params: idParam },
    responses: { 204: { description: 'Deleted, or already gone' }, ...writeErrors },
  }),
};

export function registerPolicyRoutes(app: OpenAPIHono<AppEnv>) {
  app.openAPIRegistry.register('PolicyManifest', policyManifest);
  app.openapi(routes.create, async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, 'editor');
    const accepted = acceptPolicyDocument(await readDocument(c));
    const row = await withTenant(c.get('services').database.db, caller.tenantId, async (tx) => {
      const cluster = await findCluster(tx, c.req.valid('param').id);
      const limits = await lockTenantLimits(tx, caller.tenantId);
      assertObjectLimits(limits, accepted);
      const [usage] = await tx.select({ n: count() }).from(policies);
      assertWithinLimit(limits, 'policies', usage!.n, usage!.n + 1);
      await assertTiersExist(tx, cluster.id, [accepted]);
      await assertRulesPerEndpoint(tx, cluster.id, limits, [accepted]);
      const { resource: _resource, ...columns } = accepted;
      const [created] = await tx
        .insert(policies)
        .values({ id: newId(), tenantId: caller.tenantId, clusterId: cluster.id, ...columns })
        .returning()
        .catch((error: unknown) => {
          if (!isUniqueViolation(error)) throw error;
          throw new ApiError('CONFLICT', `${accepted.kind} ${accepted.namespace}/${accepted.name} exists in this cluster; PUT /v1/policies/{id} replaces it`, {
            errors: [{ path: 'metadata.name', message: 'already exists' }],
          });
        });
      await recordAudit(tx, caller, { action: 'create', resourceType: 'policy', resourceId: created!.id, after: presentPolicy(created!) });
      await announcePolicyChange(tx, caller.tenantId, cluster.id);
      return created!;
    });
    c.header('etag', etagOf(row.version));
    return c.json(presentPolicy(row), 201);
  });

  app.openapi(routes.list, async (c) => {
    const caller = c.get('caller');
    const query = c.req.valid('query');
    const rows = await withTenant(c.get('services').database.db, caller.tenantId, (tx) =>
      pageInCluster(
        tx,
        c.req.valid('param').id,
        policies,
        query,
        query.kind ? eq(policies.kind, query.kind) : undefined,
        query.namespace !== undefined ? eq(policies.namespace, query.namespace) : undefined,
        query.name ? eq(policies.name, query.name) : undefined,
      ),
    );
    return c.json(toPage(rows, query, presentPolicy), 200);
  });

  app.openapi(routes.get, async (c) => {
    const caller = c.get('caller');
    const id = requireId(c.req.valid('param').id, 'policy');
    const [row] = await withTenant(c.get('services').database.db, caller.tenantId, (tx) => tx.select().from(policies).where(eq(policies.id, id)));
    if (!row) throw notFound('policy');
    c.header('etag', etagOf(row.version));
    // `Accept: application/yaml` gives the manifest alone, ready for kubectl or a Git repository.
    if (/application\/(x-)?yaml/.test(c.req.header('accept') ?? '')) return c.body(stringify(row.manifest), 200, { 'content-type': 'application/yaml' });
    return c.json(presentPolicy(row), 200);
  });

  app.openapi(routes.replace, async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, 'editor');
    const id = requireId(c.req.valid('param').id, 'policy');
    const accepted = acceptPolicyDocument(await readDocument(c));
    const row = await withTenant(c.get('services').database.db, caller.tenantId, async (tx) => {
      const [before] = await tx.select().from(policies).where(eq(policies.id, id)).for('update');
      if (!before) throw notFound('policy');
      checkIfMatch(c.req.header('if-match'), before.version);
      assertSameIdentity(before, accepted);
      await assertTiersExist(tx, before.clusterId, [accepted]);
      const limits = await lockTenantLimits(tx, caller.tenantId);
      assertObjectLimits(limits, accepted);
      await assertRulesPerEndpoint(tx, before.clusterId, limits, [accepted]);
      const [after] = await tx
        .update(policies)
        .set({ apiVersion: accepted.apiVersion, manifest: accepted.manifest, ruleCount: accepted.ruleCount, version: sql`${policies.version} + 1`, updatedAt: new Date() })
        .where(eq(policies.id, id))
        .returning();
      await recordAudit(tx, caller, { action: 'update', resourceType: 'policy', resourceId: id, before: presentPolicy(before), after: presentPolicy(after!) });
      await announcePolicyChange(tx, caller.tenantId, before.clusterId);
      return after!;
    });
    c.header('etag', etagOf(row.version));
    return c.json(presentPolicy(row), 200);
  });

  app.openapi(routes.delete, async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, 'editor');
    const id = requireId(c.req.valid('param').id, 'policy');
    await withTenant(c.get('services').database.db, caller.tenantId, async (tx) => {
      const [before] = await tx.delete(policies).where(eq(policies.id, id)).returning();
      if (!before) return assertDeletedEarlier(tx, 'policy', id, 'policy');
      if (before.kind === 'Tier') await assertTierEmpty(tx, before.clusterId, before.name);
      await recordAudit(tx, caller, { action: 'delete', resourceType: 'policy', resourceId: before.id, before: presentPolicy(before) });
      await announcePolicyChange(tx, caller.tenantId, before.clusterId);
    });
    return c.body(null, 204);
  });
}

/** Like Kubernetes, an object's identity is fixed; a different kind or name is a different object. */
function assertSameIdentity(before: typeof policies.$inferSelect, accepted: ReturnType<typeof acceptPolicyDocument>) {
  const changed = [
    before.apiVersion !== accepted.apiVersion && { path: 'apiVersion', message: `is immutable (was ${before.apiVersion})` },
    before.kind !== accepted.kind && { path: 'kind', message: `is immutable (was ${before.kind})` },
    before.namespace !== accepted.namespace && { path: 'metadata.namespace', message: `is immutable (was ${before.namespace})` },
    before.name !== accepted.name && { path: 'metadata.name', message: `is immutable (was ${before.name})` },
  ].filter((entry) => entry !== false);
  if (changed.length > 0) throw validationFailed(changed);
}
