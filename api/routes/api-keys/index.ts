// The API key routes: one file per operation, mounted here.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { registerCreateApiKey } from './create.ts';
import { registerGetApiKey } from './get.ts';
import { registerListApiKeys } from './list.ts';
import { registerRevokeApiKey } from './revoke.ts';

export function registerApiKeyRoutes(app: OpenAPIHono<AppEnv>) {
  registerCreateApiKey(app);
  registerListApiKeys(app);
  registerGetApiKey(app);
  registerRevokeApiKey(app);
}
