import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { withTenant } from '../../../db/index.ts';
import { bundles } from '../../../db/schema/index.ts';
import type { AppEnv } from '../../env.ts';
import { toPage } from '../../http/pagination.ts';
import { commonErrors, idParam, jsonContent, listQuery, page, timestamp } from '../../schemas/common.ts';
import { pageInCluster } from '../../services/clusters.ts';

const bundleSchema = z
  .object({
    id: z.string(),
    clusterId: z.string(),
    revision: z.number(),
    sha256: z.string(),
    contentHash: z.string(),
    keyId: z.string(),
    size: z.number(),
    createdAt: timestamp,
    expiresAt: timestamp,
  })
  .openapi('Bundle');

const route = createRoute({
  method: 'get',
  path: '/v1/clusters/{id}/bundles',
  operationId: 'listClusterBundles',
  summary: "The cluster's signed bundles, oldest first",
  tags: ['clusters'],
  security: [{ apiKey: [] }],
  request: { params: idParam, query: listQuery },
  responses: { 200: jsonContent(page(bundleSchema, 'BundlePage'), 'A page of bundle records'), ...commonErrors },
});

export function registerBundleRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const caller = c.get('caller');
    const query = c.req.valid('query');
    const rows = await withTenant(c.get('services').database.db, caller.tenantId, (tx) => pageInCluster(tx, c.req.valid('param').id, bundles, query));
    return c.json(
      toPage(rows, query, (row) => ({
        id: row.id,
        clusterId: row.clusterId,
        revision: row.revision,
        sha256: row.sha256,
        contentHash: row.contentHash,
        keyId: row.keyId,
        size: row.size,
        createdAt: row.createdAt.toISOString(),
        expiresAt: row.expiresAt.toISOString(),
      })),
      200,
    );
  });
}
