// The web console at `/`: its hashed assets with a year-long cache, and index.html (no-cache, so a new
// deploy is picked up at once) for every other GET outside the API, where the console's own router
// takes over (a deep link or a reload lands on the right page). A strict Content-Security-Policy: the
// console loads only its own scripts and styles and talks only to this origin. Registered after every
// other route, so the API, /docs, /openapi.json and /healthz are untouched; `/v1/...` never falls back.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../env.ts';
import type { ConsoleAsset, ConsoleAssets } from '../../services/console-assets.ts';

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const YEAR_SECONDS = 31_536_000;

/**
 * Paths that are never a console page: the API, and /metrics, which is served on its own port
 * (METRICS_PORT); a scraper pointed at the API port gets a 404 that says so, not the console's page.
 */
function isApiPath(path: string): boolean {
  return path === '/v1' || path.startsWith('/v1/') || path === '/metrics';
}

function respond(c: Context<AppEnv>, asset: ConsoleAsset) {
  return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
    'content-type': asset.contentType,
    'cache-control': asset.immutable ? `public, max-age=${YEAR_SECONDS}, immutable` : 'no-cache',
    'content-security-policy': CONSOLE_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  });
}

export function registerConsole(app: OpenAPIHono<AppEnv>, assets: ConsoleAssets) {
  app.get('*', (c) => {
    const path = c.req.path;
    if (isApiPath(path)) return c.notFound();
    const asset = assets.files.get(path);
    if (asset) return respond(c, asset);
    // A missing file (an old hashed asset, a typo) is a 404, not the page: only page paths fall back.
    if (path.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(path)) return c.notFound();
    return respond(c, assets.index);
  });
}
