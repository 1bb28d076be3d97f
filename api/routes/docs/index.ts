// The API reference pages, mounted here.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { registerApiReference } from './api-reference.ts';

export function registerDocsRoutes(app: OpenAPIHono<AppEnv>) {
  registerApiReference(app);
}
