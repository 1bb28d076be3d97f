// The bundle record routes, mounted here.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { registerListBundles } from './list.ts';

export function registerBundleRoutes(app: OpenAPIHono<AppEnv>) {
  registerListBundles(app);
}
