// The trust root route, mounted here.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { registerGetTrustRoot } from './get.ts';

export function registerTrustRootRoutes(app: OpenAPIHono<AppEnv>) {
  registerGetTrustRoot(app);
}
