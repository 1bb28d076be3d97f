// GET /v1/clusters/{id}/bundles: the records of the cluster's signed bundles, oldest first.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { bundleSchema } from '../../schemas/bundles.ts';
import { apiKeySecurity, commonErrors, idParam, jsonContent, listQuery, page } from '../../schemas/common.ts';
import { listBundles } from '../../services/bundles.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/clusters/{id}/bundles',
  operationId: 'listClusterBundles',
  summary: "The cluster's signed bundles, oldest first",
  tags: ['clusters'],
  security: apiKeySecurity,
  request: { params: idParam, query: listQuery },
  responses: { 200: jsonContent(page(bundleSchema, 'BundlePage'), 'A page of bundle records'), ...commonErrors },
});

export function registerListBundles(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await listBundles(tenantContext(c), { clusterId: c.req.valid('param').id, page: c.req.valid('query') }), 200));
}
