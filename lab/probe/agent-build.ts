// Makes the pod agent startable by plain `node`. Nine `node --import tsx` processes cost ~0.3 s
// of CPU each (the loader, not our code) and dominated lab start-up on a 2-core machine; type-
// stripped JavaScript starts in a third of that. The agent's modules are transpiled once with
// esbuild (a dev dependency) into a directory keyed by their content hash, so edits are picked
// up and concurrent runs share the result. If that fails, agents fall back to tsx.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { REGISTRY_DIR } from '../net/registry.ts';

const RELATIVE_TS_IMPORT = /\bfrom\s+['"](\.{1,2}\/[^'"]+\.ts)['"]/g;

/** Relative `.ts` imports of a module (type-only imports included: harmless to transpile). */
function relativeImports(source: string): string[] {
  return [...source.matchAll(RELATIVE_TS_IMPORT)].map((m) => m[1]!);
}

/** './connect.ts' -> './connect.js': esbuild's transform keeps specifiers as written. */
function toJavaScriptImports(output: string): string {
  return output.replace(RELATIVE_TS_IMPORT, (statement, specifier: string) => statement.replace(specifier, specifier.replace(/\.ts$/, '.js')));
}

/** The entry and every module it reaches through relative imports, with their sources. */
async function closure(entry: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const visit = async (file: string): Promise<void> => {
    if (files.has(file)) return;
    const src = await readFile(file, 'utf8');
    files.set(file, src);
    for (const spec of relativeImports(src)) await visit(join(dirname(file), spec));
  };
  await visit(entry);
  return files;
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/** Path of the built entry (`.js`), or undefined when building is impossible here. */
export async function buildAgent(entry: string): Promise<string | undefined> {
  try {
    const files = await closure(entry);
    const root = dirname(entry);
    const hash = createHash('sha256');
    for (const [f, src] of [...files].sort(([a], [b]) => a.localeCompare(b))) hash.update(f).update('\0').update(src).update('\0');
    const outDir = join(REGISTRY_DIR, `agent-${hash.digest('hex').slice(0, 16)}`);
    const outEntry = join(outDir, relative(root, entry).replace(/\.ts$/, '.js'));
    if (await exists(outEntry)) return outEntry;

    const { transform } = await import('esbuild');
    const tmp = `${outDir}.tmp-${process.pid}-${Math.random().toString(16).slice(2)}`;
    for (const [file, src] of files) {
      const rel = relative(root, file);
      if (rel.startsWith('..')) return undefined; // the agent must stay self-contained in lab/probe
      const out = await transform(src, { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: file });
      const dest = join(tmp, rel.replace(/\.ts$/, '.js'));
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(dest, toJavaScriptImports(out.code));
    }
    await writeFile(join(tmp, 'package.json'), '{ "type": "module" }\n');
    // rename is atomic: a concurrent builder either wins or finds the directory already there
    await rename(tmp, outDir).catch(async () => rm(tmp, { recursive: true, force: true }));
    return (await exists(outEntry)) ? outEntry : undefined;
  } catch {
    return undefined;
  }
}
