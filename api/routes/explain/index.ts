// The explain route, mounted here.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { registerExplainConnection } from './explain.ts';

export function registerExplainRoutes(app: OpenAPIHono<AppEnv>) {
  registerExplainConnection(app);
}
