// GET /v1/clusters/{id}/compatibility: what EKS onboarding found in the cluster.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, commonErrors, idParam, jsonContent, problem } from '../../schemas/common.ts';
import { compatibilityReportSchema } from '../../schemas/eks.ts';
import { getClusterCompatibility } from '../../services/clusters.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/clusters/{id}/compatibility',
  operationId: 'getClusterCompatibility',
  summary: "An EKS cluster's compatibility report",
  description:
    'What onboarding found: versions, IP family, node groups and their attach paths, Fargate profiles, VPC CNI, and warnings. 404 for a cluster not registered with an AWS role; 409 until onboarding has inspected the cluster (a failed onboarding is described on the cluster).',
  tags: ['clusters'],
  security: apiKeySecurity,
  request: { params: idParam },
  responses: {
    200: jsonContent(compatibilityReportSchema, 'The report'),
    ...commonErrors,
    409: problem('Onboarding has not inspected the cluster yet'),
  },
});

export function registerGetClusterCompatibility(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => c.json(await getClusterCompatibility(tenantContext(c), { clusterId: c.req.valid('param').id }), 200));
}
