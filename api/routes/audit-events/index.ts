// The audit log routes, mounted here.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { registerListAuditEvents } from './list.ts';

export function registerAuditEventRoutes(app: OpenAPIHono<AppEnv>) {
  registerListAuditEvents(app);
}
