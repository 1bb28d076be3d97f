// Debian's Chromium driven by playwright-core for the console's tests: headless, a fresh profile per
// browser, and a record of everything that went wrong in the page (uncaught errors, console errors,
// failed requests, error responses). A test declares the error responses its journey expects (a 401
// before signing in, a 422 for the policy it gets wrong on purpose); anything else fails it.
// Screenshots go to one folder per run, printed so a reviewer can open them.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ExpectedResponse {
  method: string;
  /** The path, without the query. */
  path: string | RegExp;
  status: number;
}

export interface ConsoleBrowser {
  context: BrowserContext;
  page: Page;
  /** Responses of this status on this path are part of the journey, not failures. */
  expect(response: ExpectedResponse): void;
  /** Everything unexpected that happened in the page so far. */
  problems(): string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

const RESOURCE_ERROR = /^Failed to load resource: the server responded with a status of (\d{3})/;

export function screenshotFolder(): string {
  const folder = join(process.cwd(), 'test-output', 'console-screenshots', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(folder, { recursive: true });
  return folder;
}

export async function openConsoleBrowser(options: { baseUrl: string; folder: string; prefix: string; width?: number }): Promise<ConsoleBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'palisade-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    baseURL: options.baseUrl,
    viewport: { width: options.width ?? 1280, height: 900 },
  });
  // Playwright waits forever by default: a step whose element never shows must fail at that step.
  context.setDefaultTimeout(30_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const expected: ExpectedResponse[] = [];
  const problems: string[] = [];
  const errorResponses = new Set<string>();
  /** Chromium's "Failed to load resource" lines, judged when asked: the response event may come later. */
  const resourceErrors: string[] = [];
  const isExpected = (method: string, url: string, status: number) => {
    const path = new URL(url).pathname;
    return expected.some(
      (entry) => entry.method === method && entry.status === status && (typeof entry.path === 'string' ? entry.path === path : entry.path.test(path)),
    );
  };
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const resource = message.text().match(RESOURCE_ERROR);
    const url = message.location().url;
    // Chromium logs every error response; the response handler judges those (expected or not).
    if (resource) resourceErrors.push(`${url} ${resource[1]}`);
    else problems.push(`console error: ${message.text()} (${url})`);
  });
  page.on('response', (response) => {
    if (response.status() < 400) return;
    const request = response.request();
    errorResponses.add(`${response.url()} ${response.status()}`);
    if (!isExpected(request.method(), response.url(), response.status())) problems.push(`${request.method()} ${response.url()} answered ${response.status()}`);
  });
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? 'failed';
    // The live tail's event stream is closed by the page itself when it leaves the flows page.
    if (failure === 'net::ERR_ABORTED' && request.url().includes('/flows/stream')) return;
    problems.push(`${request.method()} ${request.url()} failed: ${failure}`);
  });
  let shot = 0;
  return {
    context,
    page,
    expect: (response) => expected.push(response),
    problems: () => [...problems, ...resourceErrors.filter((key) => !errorResponses.has(key)).map((key) => `console error: failed to load ${key}`)],
    async screenshot(name) {
      shot += 1;
      await page.screenshot({ path: join(options.folder, `${options.prefix}-${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
