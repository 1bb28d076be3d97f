// GET /v1/clusters: a page of the tenant's clusters, filtered by name, provider and status.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { clusterSchema } from '../../schemas/clusters.ts';
import { apiKeySecurity, jsonContent, listQuery, page, writeErrors } from '../../schemas/common.ts';
import { listClusters } from '../../services/clusters.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/clusters',
  operationId: 'listClusters',
  summary: 'List clusters',
  tags: ['clusters'],
  security: apiKeySecurity,
  request: {
    query: listQuery.extend({
      name: clusterSchema.shape.name.optional(),
      provider: clusterSchema.shape.provider.optional(),
      status: clusterSchema.shape.status.optional(),
    }),
  },
  responses: { 200: jsonContent(page(clusterSchema, 'ClusterPage'), 'A page of clusters'), ...writeErrors },
});

export function registerListClusters(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await listClusters(tenantContext(c), c.req.valid('query')), 200));
}
