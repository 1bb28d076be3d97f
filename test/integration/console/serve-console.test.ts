// The control plane serving a console build at `/`: hashed assets cached for good, index.html never
// cached and answering every page path (the console routes itself), a CSP that allows only this
// origin, the API untouched (an unknown /v1 path is still a problem+json 404), and no console at all
// when there is no build.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

const build = mkdtempSync(join(tmpdir(), 'palisade-console-build-'));
const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-a1b2c3.js"></script></head><body></body></html>';
const SCRIPT = 'console.log("console")';

describe('the console at /', () => {
  let control: TestControlPlane;
  let bare: TestControlPlane;
  beforeAll(async () => {
    mkdirSync(join(build, 'assets'));
    mkdirSync(join(build, '.vite'));
    writeFileSync(join(build, 'index.html'), INDEX);
    writeFileSync(join(build, 'assets', 'index-a1b2c3.js'), SCRIPT);
    writeFileSync(join(build, 'assets', 'index-d4e5f6.css'), 'body{}');
    writeFileSync(join(build, '.vite', 'manifest.json'), '{}');
    writeFileSync(join(build, 'build-info.json'), '{}');
    [control, bare] = await Promise.all([
      startTestControlPlane('pglite', { CONSOLE_DIR: build }),
      startTestControlPlane('pglite', { CONSOLE_DIR: join(build, 'missing') }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([control?.stop(), bare?.stop()]);
    rmSync(build, { recursive: true, force: true });
  });

  it('serves index.html uncached with a self-only CSP, at / and at any page path', async () => {
    for (const path of ['/', '/clusters', '/clusters/0195f0c2-7a3e-7c1a-9d7e-1b2c3d4e5f60/flows', '/sign-in']) {
      const response = await fetch(`${control.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const csp = response.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
      expect(await response.text()).toBe(INDEX);
    }
  });

  it('serves hashed assets with their content type and a year-long immutable cache', async () => {
    const script = await fetch(`${control.url}/assets/index-a1b2c3.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await script.text()).toBe(SCRIPT);
    const style = await fetch(`${control.url}/assets/index-d4e5f6.css`);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers 404 for a missing asset and keeps the build records private', async () => {
    for (const path of ['/assets/index-000000.js', '/build-info.json', '/.vite/manifest.json', '/favicon.ico']) {
      expect((await fetch(`${control.url}${path}`)).status, path).toBe(404);
    }
  });

  it('leaves the API alone: an unknown /v1 path is a problem+json, never the page, and the API, /openapi.json and /healthz answer as before', async () => {
    // Authentication comes first under /v1, so without a credential it is a 401, not the console.
    const unknown = await fetch(`${control.url}/v1/no-such-thing`);
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect(await unknown.text()).not.toContain('<html');
    expect((await fetch(`${control.url}/v1/clusters`)).status).toBe(401);
    expect((await fetch(`${control.url}/openapi.json`)).headers.get('content-type')).toContain('application/json');
    expect(await (await fetch(`${control.url}/healthz`)).json()).toEqual({ ok: true });
  });

  it('without a build, / is not found and the API still serves', async () => {
    expect((await fetch(`${bare.url}/`)).status).toBe(404);
    expect(await (await fetch(`${bare.url}/healthz`)).json()).toEqual({ ok: true });
  });
});
