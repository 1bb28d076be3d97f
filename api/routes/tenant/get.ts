// GET /v1/tenant: the caller's tenant, its plan limits and current usage.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { tenantContext } from '../../http/context.ts';
import { apiKeySecurity, commonErrors, jsonContent } from '../../schemas/common.ts';
import { tenantWithUsageSchema } from '../../schemas/tenant.ts';
import { getTenantWithUsage } from '../../services/tenants.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/tenant',
  operationId: 'getTenant',
  summary: "The caller's tenant, its plan limits and current usage",
  tags: ['tenant'],
  security: apiKeySecurity,
  responses: { 200: jsonContent(tenantWithUsageSchema, 'The tenant'), ...commonErrors },
});

export function registerGetTenant(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) =>
    c.json({ ...(await getTenantWithUsage(tenantContext(c))), awsPrincipal: c.get('services').config.awsPrincipal ?? null }, 200),
  );
}
