// Builds the console with Vite into console/dist: into a fresh directory first, then swapped into
// place, so a server never reads half a build. Prints each chunk's gzipped size and refuses a build
// whose first load is over budget. `ensureConsoleBuilt` is what `npm start` and the tests call: it
// builds only when the recorded source hash differs, and one process at a time (a directory lock), so
// parallel test files build once.
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_INFO_FILE, type ConsoleBuildInfo, readBuildInfo } from './build-info.ts';
import { type BundleSizes, bundleSizes, FIRST_LOAD_BUDGET_GZIP_BYTES } from './bundle-sizes.ts';
import { consoleSourceHash } from './source-hash.ts';

export type ConsoleBuildResult =
  | { ok: true; outcome: 'built' | 'fresh' | 'no-sources'; info?: ConsoleBuildInfo }
  | { ok: false; code: 'CONSOLE_OVER_BUDGET' | 'CONSOLE_BUILD_FAILED' | 'CONSOLE_BUILD_LOCKED'; message: string };

/** A lock older than this belongs to a build that died; a real build takes well under it. */
const STALE_LOCK_MS = 10 * 60_000;
const LOCK_POLL_MS = 250;

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export function describeSizes(sizes: BundleSizes): string[] {
  return [
    ...sizes.chunks.map((chunk) => `  ${chunk.firstLoad ? 'first load' : 'lazy      '}  ${kib(chunk.gzipBytes).padStart(10)} gz  ${chunk.file}`),
    `  first load ${kib(sizes.firstLoadGzipBytes)} gz of ${kib(FIRST_LOAD_BUDGET_GZIP_BYTES)} budget; all JavaScript ${kib(sizes.totalGzipBytes)} gz`,
  ];
}

/** Builds unconditionally into `outDir` (default console/dist). */
export async function buildConsole(root: string, say: (line: string) => void, outDir = join(root, 'console', 'dist')): Promise<ConsoleBuildResult> {
  const sourceHash = consoleSourceHash(root);
  const staging = `${outDir}.building-${process.pid}`;
  const started = performance.now();
  say('console: building with Vite ...');
  try {
    // Imported here, not at the top: a compiled control plane never builds, and never loads Vite.
    const { build } = await import('vite');
    // Vite and Preact's preset take production-ness from NODE_ENV, which a test runner sets to `test`:
    // the console is always built for production (no debug helpers), whoever builds it.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({
        configFile: join(root, 'console', 'vite.config.ts'),
        mode: 'production',
        logLevel: 'warn',
        build: { outDir: staging, emptyOutDir: true, manifest: true },
      });
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    return { ok: false, code: 'CONSOLE_BUILD_FAILED', message: (error as Error).message };
  }
  const sizes = bundleSizes(staging);
  for (const line of describeSizes(sizes)) say(line);
  if (sizes.firstLoadGzipBytes > FIRST_LOAD_BUDGET_GZIP_BYTES) {
    rmSync(staging, { recursive: true, force: true });
    return {
      ok: false,
      code: 'CONSOLE_OVER_BUDGET',
      message: `the console's first load is ${kib(sizes.firstLoadGzipBytes)} gzipped, over the ${kib(FIRST_LOAD_BUDGET_GZIP_BYTES)} budget: load the heavy part lazily`,
    };
  }
  const info: ConsoleBuildInfo = {
    sourceHash,
    builtAt: new Date().toISOString(),
    firstLoadGzipBytes: sizes.firstLoadGzipBytes,
    totalGzipBytes: sizes.totalGzipBytes,
  };
  writeFileSync(join(staging, BUILD_INFO_FILE), `${JSON.stringify(info, null, 2)}\n`);
  rmSync(outDir, { recursive: true, force: true });
  renameSync(staging, outDir);
  say(`console: built in ${((performance.now() - started) / 1_000).toFixed(1)} s`);
  return { ok: true, outcome: 'built', info };
}

function isFresh(root: string, distDir: string): boolean {
  return readBuildInfo(distDir)?.sourceHash === consoleSourceHash(root);
}

async function withLock<T>(lockDir: string, work: () => Promise<T>): Promise<T | undefined> {
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const since = statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs;
      if (since !== undefined && Date.now() - since > STALE_LOCK_MS) rmSync(lockDir, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Builds console/dist when it is missing or was built from other sources; a no-op without sources (a compiled deployment). */
export async function ensureConsoleBuilt(root: string, say: (line: string) => void): Promise<ConsoleBuildResult> {
  const distDir = join(root, 'console', 'dist');
  if (!existsSync(join(root, 'console', 'src'))) return { ok: true, outcome: 'no-sources' };
  if (isFresh(root, distDir)) return { ok: true, outcome: 'fresh', info: readBuildInfo(distDir) };
  say(existsSync(distDir) ? 'console: sources changed since the last build' : 'console: no build yet');
  const result = await withLock(join(root, 'console', '.build-lock'), async () => {
    // Another process may have built it while this one waited for the lock.
    if (isFresh(root, distDir)) return { ok: true as const, outcome: 'fresh' as const, info: readBuildInfo(distDir) };
    return buildConsole(root, say, distDir);
  });
  return result ?? { ok: false, code: 'CONSOLE_BUILD_LOCKED', message: 'could not take the console build lock' };
}
