// The sign-up route, mounted here behind its body limit.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { limitBodies, SMALL_OBJECT_BODY_BYTES } from '../../http/body-limits.ts';
import { registerSignup } from './signup.ts';

export function registerSignupRoutes(app: OpenAPIHono<AppEnv>) {
  app.use('/v1/signup', limitBodies(SMALL_OBJECT_BODY_BYTES, 'sign-up bodies'));
  registerSignup(app);
}
