// The API key routes: one file per operation, mounted here behind their body limit.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { limitBodies, SMALL_OBJECT_BODY_BYTES } from '../../http/body-limits.ts';
import { registerCreateApiKey } from './create.ts';
import { registerGetApiKey } from './get.ts';
import { registerListApiKeys } from './list.ts';
import { registerRevokeApiKey } from './revoke.ts';

export function registerApiKeyRoutes(app: OpenAPIHono<AppEnv>) {
  app.use('/v1/api-keys', limitBodies(SMALL_OBJECT_BODY_BYTES, 'API key bodies'));
  registerCreateApiKey(app);
  registerListApiKeys(app);
  registerGetApiKey(app);
  registerRevokeApiKey(app);
}
