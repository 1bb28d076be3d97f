import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { count, eq, isNull } from 'drizzle-orm';
import { withTenant } from '../../../db/index.ts';
import { clusters, policies, tenants } from '../../../db/schema/index.ts';
import type { AppEnv } from '../../env.ts';
import { notFound } from '../../errors/api-error.ts';
import { commonErrors, jsonContent } from '../../schemas/common.ts';
import { presentTenant, tenantSchema } from './schemas.ts';

const tenantWithUsage = tenantSchema
  .extend({ usage: z.object({ clusters: z.number(), policies: z.number() }) })
  .openapi('TenantWithUsage');

const route = createRoute({
  method: 'get',
  path: '/v1/tenant',
  operationId: 'getTenant',
  summary: "The caller's tenant, its plan limits and current usage",
  tags: ['tenant'],
  security: [{ apiKey: [] }],
  responses: { 200: jsonContent(tenantWithUsage, 'The tenant'), ...commonErrors },
});

export function registerGetTenant(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const { tenantId } = c.get('caller');
    const body = await withTenant(c.get('services').database.db, tenantId, async (tx) => {
      const [tenant] = await tx.select().from(tenants).where(eq(tenants.id, tenantId));
      if (!tenant) throw notFound('tenant');
      const [clusterCount] = await tx.select({ n: count() }).from(clusters).where(isNull(clusters.deletedAt));
      const [policyCount] = await tx.select({ n: count() }).from(policies);
      return { ...presentTenant(tenant), usage: { clusters: clusterCount!.n, policies: policyCount!.n } };
    });
    return c.json(body, 200);
  });
}
