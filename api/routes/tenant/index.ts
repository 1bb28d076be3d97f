// The tenant routes, mounted here behind their body limit.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { limitBodies, SMALL_OBJECT_BODY_BYTES } from '../../http/body-limits.ts';
import { registerChangeTenantPlan } from './change-plan.ts';
import { registerGetTenant } from './get.ts';

export function registerTenantRoutes(app: OpenAPIHono<AppEnv>) {
  app.use('/v1/tenant/plan', limitBodies(SMALL_OBJECT_BODY_BYTES, 'plan changes'));
  registerGetTenant(app);
  registerChangeTenantPlan(app);
}
