// DELETE /v1/clusters/{id}: delete a cluster (its policies go with it); repeating it succeeds.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, idParam, writeErrors } from '../../schemas/common.ts';
import { deleteCluster } from '../../services/clusters.ts';

const route = createRoute({
  method: 'delete',
  path: '/v1/clusters/{id}',
  operationId: 'deleteCluster',
  summary: 'Delete a cluster; repeating it succeeds',
  tags: ['clusters'],
  security: apiKeySecurity,
  request: { params: idParam },
  responses: { 204: { description: 'Deleted, or already gone' }, ...writeErrors },
});

export function registerDeleteCluster(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    await deleteCluster(tenantContext(c), { clusterId: c.req.valid('param').id });
    return c.body(null, 204);
  });
}
