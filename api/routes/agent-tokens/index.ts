// The agent token routes: one file per operation, mounted here behind their body limit.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { limitBodies, SMALL_OBJECT_BODY_BYTES } from '../../http/body-limits.ts';
import { registerCreateAgentToken } from './create.ts';
import { registerGetAgentToken } from './get.ts';
import { registerListAgentTokens } from './list.ts';
import { registerRevokeAgentToken } from './revoke.ts';

export function registerAgentTokenRoutes(app: OpenAPIHono<AppEnv>) {
  app.use('/v1/clusters/:id/agent-tokens', limitBodies(SMALL_OBJECT_BODY_BYTES, 'agent token bodies'));
  registerCreateAgentToken(app);
  registerListAgentTokens(app);
  registerGetAgentToken(app);
  registerRevokeAgentToken(app);
}
