// The control plane compiled by tsc, file for file, into the output directory, with what it reads at
// run time beside it. The tree keeps its shape (dist/bin, dist/db, ...), so every
// `import.meta.url`-relative read still lands: db/migrate.ts finds ../migrations. npm packages stay
// imports, resolved from the node_modules beside it. (The agent is bundled instead: agent-bundle.ts.)
import { spawnSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** tsconfig.json beside this file says which sources: the entry folders, and whatever they import. */
const BUILD_TSCONFIG = fileURLToPath(new URL('./tsconfig.json', import.meta.url));

export type CompileResult = { ok: true } | { ok: false; code: 'TYPECHECK_FAILED'; message: string };

export function compile(root: string, outDir: string): CompileResult {
  // TypeScript 7's package exports no bin path; its `tsc` script sits beside package.json.
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '--project', BUILD_TSCONFIG, '--outDir', outDir], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) return { ok: false, code: 'TYPECHECK_FAILED', message: `${run.stdout}${run.stderr}`.trim() || `tsc exited with ${run.status}` };
  // db/migrate.ts reads the SQL files at run time from ../migrations, relative to itself.
  cpSync(join(root, 'migrations'), join(outDir, 'migrations'), { recursive: true });
  // The sources are ES modules through the root package.json; say so in dist itself, so the output runs
  // wherever it is copied (an image copies dist/ beside a production node_modules).
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ type: 'module', private: true }, null, 2)}\n`);
  return { ok: true };
}
