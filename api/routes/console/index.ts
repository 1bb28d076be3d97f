// The web console's static files, mounted here when the control plane has a console build.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env.ts';
import { loadConsoleAssets } from '../../services/console-assets.ts';
import { registerConsole } from './serve-console.ts';

export function registerConsoleRoutes(app: OpenAPIHono<AppEnv>, consoleDir: string | undefined) {
  const assets = loadConsoleAssets(consoleDir);
  if (assets) registerConsole(app, assets);
}
