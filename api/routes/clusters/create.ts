// POST /v1/clusters: register a cluster, within the plan's cluster limit.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { versionEtag } from '../../http/etag.ts';
import { clusterBody, clusterSchema, presentCluster } from '../../schemas/clusters.ts';
import { apiKeySecurity, idempotencyHeader, jsonContent, writeErrors } from '../../schemas/common.ts';
import { EKS_ROLE_INSTRUCTIONS } from '../../schemas/eks.ts';
import { createCluster } from '../../services/clusters.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/clusters',
  operationId: 'createCluster',
  summary: 'Register a cluster',
  description: EKS_ROLE_INSTRUCTIONS,
  tags: ['clusters'],
  security: apiKeySecurity,
  request: { headers: idempotencyHeader, body: clusterBody },
  responses: { 201: jsonContent(clusterSchema, 'Created'), ...writeErrors },
});

export function registerCreateCluster(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const row = await createCluster(tenantContext(c), c.req.valid('json'));
    c.header('etag', versionEtag(row.version));
    return c.json(presentCluster(row), 201);
  });
}
