// The sign-up route, mounted here.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { registerSignup } from './signup.ts';

export function registerSignupRoutes(app: OpenAPIHono<AppEnv>) {
  registerSignup(app);
}
