// The tenant routes, mounted here.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { registerChangeTenantPlan } from './change-plan.ts';
import { registerGetTenant } from './get.ts';

export function registerTenantRoutes(app: OpenAPIHono<AppEnv>) {
  registerGetTenant(app);
  registerChangeTenantPlan(app);
}
