// Global setup: the real Lambda bundle, built once by the repository's build script (`--only lambda`)
// into a temporary directory the tests synthesize against, so they never depend on a stale dist/.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { REPOSITORY_ROOT } from '../lib/settings.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    apiBundleDir: string;
  }
}

export default function setup(project: TestProject) {
  const out = mkdtempSync(join(tmpdir(), 'palisade-cdk-'));
  // The repository's own tsx and esbuild: the root install is the build's, this package has neither role.
  const build = spawnSync(process.execPath, ['--import', 'tsx', 'build/build.ts', '--only', 'lambda', '--out', out], {
    cwd: REPOSITORY_ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`the Lambda build failed (exit ${build.status}):\n${build.stdout}${build.stderr}`);
  project.provide('apiBundleDir', join(out, 'lambda'));
  return () => rmSync(out, { recursive: true, force: true });
}
