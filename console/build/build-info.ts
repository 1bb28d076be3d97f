// dist/build-info.json: what a console build was made from (the source hash) and what it weighs, so
// `npm start` can tell a stale build from a fresh one without running Vite.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const BUILD_INFO_FILE = 'build-info.json';

export interface ConsoleBuildInfo {
  sourceHash: string;
  builtAt: string;
  /** Gzipped bytes of the JavaScript the first page load fetches, and of all of it (lazy chunks too). */
  firstLoadGzipBytes: number;
  totalGzipBytes: number;
}

export function readBuildInfo(distDir: string): ConsoleBuildInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(distDir, BUILD_INFO_FILE), 'utf8')) as ConsoleBuildInfo;
  } catch {
    return undefined;
  }
}
