// The console's build, read into memory once when the app is made: a few hundred KB of hashed assets
// and index.html, so serving them is a map lookup. No build directory, no console (`/` stays 404).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

export interface ConsoleAsset {
  body: Uint8Array;
  contentType: string;
  /** Vite names what it emits under assets/ by content hash: cacheable for good. */
  immutable: boolean;
}

export interface ConsoleAssets {
  /** By URL path (`/index.html`, `/assets/index-3f9a.js`). */
  files: ReadonlyMap<string, ConsoleAsset>;
  index: ConsoleAsset;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Files of the build that are not the console's: Vite's manifest and our build record. */
const NOT_SERVED = [/^\.vite\//, /^build-info\.json$/];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

export function loadConsoleAssets(dir: string | undefined): ConsoleAssets | undefined {
  if (dir === undefined || !statSync(join(dir, 'index.html'), { throwIfNoEntry: false })?.isFile()) return undefined;
  const files = new Map<string, ConsoleAsset>();
  for (const path of filesUnder(dir)) {
    const name = relative(dir, path).split(sep).join('/');
    if (NOT_SERVED.some((pattern) => pattern.test(name))) continue;
    files.set(`/${name}`, {
      body: readFileSync(path),
      contentType: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
      immutable: name.startsWith('assets/'),
    });
  }
  return { files, index: files.get('/index.html')! };
}
