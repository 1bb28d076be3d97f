// PUT /v1/tenant/plan: the owner moves the tenant to another plan (sign-up always starts on free).
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, commonErrors, jsonContent } from '../../schemas/common.ts';
import { planChangeInput, tenantWithUsageSchema } from '../../schemas/tenant.ts';
import { changeTenantPlan } from '../../services/tenants.ts';

const route = createRoute({
  method: 'put',
  path: '/v1/tenant/plan',
  operationId: 'changeTenantPlan',
  summary: "Change the tenant's plan and the limits it sets (owner only; a downgrade below current usage is refused)",
  tags: ['tenant'],
  security: apiKeySecurity,
  request: { body: { content: { 'application/json': { schema: planChangeInput } }, required: true } },
  responses: { 200: jsonContent(tenantWithUsageSchema, 'The tenant on its new plan'), ...commonErrors },
});

export function registerChangeTenantPlan(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) =>
    c.json({ ...(await changeTenantPlan(tenantContext(c), c.req.valid('json'))), awsPrincipal: c.get('services').config.awsPrincipal ?? null }, 200),
  );
}
