// The flow log routes, mounted here.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { registerListFlowLogs } from './list.ts';
import { registerStreamFlowLogs } from './stream.ts';

export function registerFlowRoutes(app: OpenAPIHono<AppEnv>) {
  registerListFlowLogs(app);
  registerStreamFlowLogs(app);
}
