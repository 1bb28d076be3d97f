// PUT /v1/clusters/{id}: replace a cluster's name and provider, If-Match honoured.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { versionEtag } from '../../http/etag.ts';
import { clusterBody, clusterSchema, presentCluster } from '../../schemas/clusters.ts';
import { apiKeySecurity, idParam, ifMatchHeader, jsonContent, writeErrors } from '../../schemas/common.ts';
import { replaceCluster } from '../../services/clusters.ts';

const route = createRoute({
  method: 'put',
  path: '/v1/clusters/{id}',
  operationId: 'replaceCluster',
  summary: 'Replace a cluster',
  tags: ['clusters'],
  security: apiKeySecurity,
  request: { params: idParam, headers: ifMatchHeader, body: clusterBody },
  responses: { 200: jsonContent(clusterSchema, 'Replaced'), ...writeErrors },
});

export function registerReplaceCluster(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const row = await replaceCluster(tenantContext(c), {
      clusterId: c.req.valid('param').id,
      ifMatch: c.req.valid('header')['if-match'],
      cluster: c.req.valid('json'),
    });
    c.header('etag', versionEtag(row.version));
    return c.json(presentCluster(row), 200);
  });
}
