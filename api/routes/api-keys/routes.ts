// API keys: created with a role no higher than the creator's, shown once, revoked by DELETE.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { and, eq, isNull } from 'drizzle-orm';
import { newId, withTenant } from '../../../db/index.ts';
import { apiKeys } from '../../../db/schema/index.ts';
import type { AppEnv } from '../../env.ts';
import { ApiError, notFound } from '../../errors/api-error.ts';
import { requireId } from '../../http/ids.ts';
import { afterCursor, toPage } from '../../http/pagination.ts';
import { hasRole, requireRole } from '../../middleware/auth.ts';
import { commonErrors, idempotencyHeader, idParam, jsonContent, listQuery, page } from '../../schemas/common.ts';
import { recordAudit } from '../../services/audit.ts';
import { assertDeletedEarlier } from '../../services/tombstones.ts';
import { mintCredential } from '../../services/credentials.ts';
import { apiKeyInput, apiKeySchema, presentApiKey } from './schemas.ts';

const tags = ['api-keys'];
const security = [{ apiKey: [] }];
const live = (id: string) => and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt));

const createKey = createRoute({
  method: 'post',
  path: '/v1/api-keys',
  operationId: 'createApiKey',
  summary: 'Create an API key (the secret is in this response only)',
  tags,
  security,
  request: { headers: idempotencyHeader, body: { content: { 'application/json': { schema: apiKeyInput } }, required: true } },
  responses: { 201: jsonContent(apiKeySchema.extend({ key: z.string() }).openapi('NewApiKey'), 'Created'), ...commonErrors },
});

const listKeys = createRoute({
  method: 'get',
  path: '/v1/api-keys',
  operationId: 'listApiKeys',
  summary: 'List live API keys',
  tags,
  security,
  request: { query: listQuery.extend({ role: apiKeySchema.shape.role.optional() }) },
  responses: { 200: jsonContent(page(apiKeySchema, 'ApiKeyPage'), 'A page of keys'), ...commonErrors },
});

const getKey = createRoute({
  method: 'get',
  path: '/v1/api-keys/{id}',
  operationId: 'getApiKey',
  summary: 'Read an API key (never its secret)',
  tags,
  security,
  request: { params: idParam },
  responses: { 200: jsonContent(apiKeySchema, 'The key'), ...commonErrors },
});

const revokeKey = createRoute({
  method: 'delete',
  path: '/v1/api-keys/{id}',
  operationId: 'revokeApiKey',
  summary: 'Revoke an API key; repeating it succeeds',
  tags,
  security,
  request: { params: idParam },
  responses: { 204: { description: 'Revoked, or already gone' }, ...commonErrors },
});

export function registerApiKeyRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(createKey, async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, 'admin');
    const input = c.req.valid('json');
    if (!hasRole(caller.role, input.role)) throw new ApiError('FORBIDDEN', `a ${caller.role} cannot create a ${input.role} key`);
    const credential = mintCredential('pal');
    const body = await withTenant(c.get('services').database.db, caller.tenantId, async (tx) => {
      const [row] = await tx
        .insert(apiKeys)
        .values({ id: newId(), tenantId: caller.tenantId, name: input.name, role: input.role, prefix: credential.prefix, hash: credential.hash })
        .returning();
      const key = presentApiKey(row!);
      await recordAudit(tx, caller, { action: 'create', resourceType: 'api-key', resourceId: key.id, after: key });
      return { ...key, key: credential.secret };
    });
    return c.json(body, 201);
  });

  app.openapi(listKeys, async (c) => {
    const caller = c.get('caller');
    const query = c.req.valid('query');
    const rows = await withTenant(c.get('services').database.db, caller.tenantId, (tx) =>
      tx
        .select()
        .from(apiKeys)
        .where(and(isNull(apiKeys.revokedAt), afterCursor(apiKeys.id, query), query.role ? eq(apiKeys.role, query.role) : undefined))
        .orderBy(apiKeys.id)
        .limit(query.limit + 1),
    );
    return c.json(toPage(rows, query, presentApiKey), 200);
  });

  app.openapi(getKey, async (c) => {
    const caller = c.get('caller');
    const id = requireId(c.req.valid('param').id, 'api key');
    const [row] = await withTenant(c.get('services').database.db, caller.tenantId, (tx) => tx.select().from(apiKeys).where(live(id)));
    if (!row) throw notFound('api key');
    return c.json(presentApiKey(row), 200);
  });

  app.openapi(revokeKey, async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, 'admin');
    const id = requireId(c.req.valid('param').id, 'api key');
    await withTenant(c.get('services').database.db, caller.tenantId, async (tx) => {
      const [row] = await tx.update(apiKeys).set({ revokedAt: new Date() }).where(live(id)).returning();
      if (row) await recordAudit(tx, caller, { action: 'revoke', resourceType: 'api-key', resourceId: row.id, before: presentApiKey(row) });
      else await assertDeletedEarlier(tx, 'api-key', id, 'api key');
    });
    return c.body(null, 204);
  });
}
