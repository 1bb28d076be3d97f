// DELETE /v1/clusters/{id}: delete a cluster (its policies go with it); repeating it succeeds. An EKS
// cluster onboarded through a role answers 202: a job offboards it, and it shows `offboarding` until gone.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
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
  request: {
    params: idParam,
    query: z.object({
      force: z.enum(['true', 'false']).optional().openapi({
        description:
          "EKS clusters onboarded through a role: delete at once without offboarding, leaving palisade's access entry and the palisade-system namespace for you to remove (for a role that no longer exists)",
      }),
    }),
  },
  responses: {
    202: { description: 'An EKS cluster onboarded through a role: offboarding started (or runs); the cluster shows status offboarding until it is gone' },
    204: { description: 'Deleted, or already gone' },
    ...writeErrors,
  },
});

export function registerDeleteCluster(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const outcome = await deleteCluster(tenantContext(c), { clusterId: c.req.valid('param').id, force: c.req.valid('query').force === 'true' });
    return c.body(null, outcome === 'offboarding' ? 202 : 204);
  });
}
