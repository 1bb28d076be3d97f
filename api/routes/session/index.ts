// The session routes (sign in, who am I, sign out), mounted here behind their body limit.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { limitBodies, SMALL_OBJECT_BODY_BYTES } from '../../http/body-limits.ts';
import { registerSignIn } from './create.ts';
import { registerSignOut } from './delete.ts';
import { registerGetSession } from './get.ts';

export function registerSessionRoutes(app: OpenAPIHono<AppEnv>) {
  app.use('/v1/session', limitBodies(SMALL_OBJECT_BODY_BYTES, 'sign-in bodies'));
  registerSignIn(app);
  registerGetSession(app);
  registerSignOut(app);
}
