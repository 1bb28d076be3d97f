// GET /v1/clusters/{id}: one cluster, with its ETag.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { versionEtag } from '../../http/etag.ts';
import { clusterSchema, presentCluster } from '../../schemas/clusters.ts';
import { apiKeySecurity, idParam, jsonContent, writeErrors } from '../../schemas/common.ts';
import { getCluster } from '../../services/clusters.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/clusters/{id}',
  operationId: 'getCluster',
  summary: 'Read a cluster',
  tags: ['clusters'],
  security: apiKeySecurity,
  request: { params: idParam },
  responses: { 200: jsonContent(clusterSchema, 'The cluster, with its ETag'), ...writeErrors },
});

export function registerGetCluster(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const row = await getCluster(tenantContext(c), { clusterId: c.req.valid('param').id });
    c.header('etag', versionEtag(row.version));
    return c.json(presentCluster(row), 200);
  });
}
