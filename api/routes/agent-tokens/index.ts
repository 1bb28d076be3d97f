// The agent token routes: one file per operation, mounted here.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { registerCreateAgentToken } from './create.ts';
import { registerListAgentTokens } from './list.ts';
import { registerRevokeAgentToken } from './revoke.ts';

export function registerAgentTokenRoutes(app: OpenAPIHono<AppEnv>) {
  registerCreateAgentToken(app);
  registerListAgentTokens(app);
  registerRevokeAgentToken(app);
}
