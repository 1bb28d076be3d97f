// POST /v1/policies/{id}/promote: enforce what a staged policy has been recording. The staged object
// becomes (or replaces) the policy it stages, or, for stagedAction Delete, removes it; the staged
// object goes.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, idParam, jsonContent, writeErrors } from '../../schemas/common.ts';
import { presentPolicy, promotionSchema } from '../../schemas/policies.ts';
import { promotePolicy } from '../../services/policies/promote.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/policies/{id}/promote',
  operationId: 'promoteStagedPolicy',
  summary: 'Enforce a staged policy: it becomes the policy it stages (or deletes it), and the staged object goes',
  tags: ['policies'],
  security: apiKeySecurity,
  request: { params: idParam },
  responses: { 200: jsonContent(promotionSchema, 'Promoted'), ...writeErrors },
});

export function registerPromotePolicy(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const promotion = await promotePolicy(tenantContext(c), { policyId: c.req.valid('param').id });
    return c.json({ enforced: promotion.enforced ? presentPolicy(promotion.enforced) : null, deleted: promotion.deleted }, 200);
  });
}
