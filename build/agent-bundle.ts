// The node agent as it ships: agent/main.ts and the packages it imports bundled by esbuild into
// dist/agent/main.js, run with plain node (the image and the DaemonSet run that path; the bench builds
// it with this same function). One bundle instead of tsc's file-for-file output, because start-up is
// the agent's cost that matters (issue 13 item 5: process start to the first bundle applied): node
// resolves, reads and links each ES module on its own, and the agent's ~400 files (zod's 64 locales
// among them, which tree-shaking drops) took ~300 ms of it.
//
// What the agent imports only when it needs it (the eBPF dataplane, the Kubernetes inventory, metrics,
// the explain endpoint) stays out of main.js: `splitting` makes each such dynamic import a chunk
// beside it, loaded when imported, as before. koffi is a native addon loaded from node_modules beside
// dist/, like the image's other production dependencies; pino-pretty is only for terminals
// (bin/logger.ts), which the agent never uses.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';

const AGENT_ENTRY = 'agent/main.ts';

/** These machines run Node 20; the image runs a newer LTS. */
const TARGET = 'node20';

const EXTERNAL = ['koffi', 'pino-pretty'];

/**
 * zod's namespace objects (`z.locales`, `core.locales`) keep all of its 64 locales in the bundle,
 * since esbuild cannot drop what a namespace object may reach: 366 KB of the agent's 1 MB loaded at
 * start, parsed on every start. The agent formats errors in the English one zod installs itself
 * (classic/schemas.js imports locales/en.js directly) and never picks another, so the index of
 * locales becomes one that has English alone.
 */
const englishOnlyZodLocales: Plugin = {
  name: 'zod-english-only',
  setup(plugin) {
    plugin.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'zod-english-only' } : undefined,
    );
    plugin.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: plugin.initialOptions.absWorkingDir ?? process.cwd(),
    }));
  },
};

export type AgentBundleResult = { ok: true; entry: string; bytes: number } | { ok: false; code: 'BUNDLE_FAILED'; message: string };

/** Bundles the agent into `outDir` (main.js, its chunks and source maps); `entry` is main.js's path. */
export async function bundleAgent(root: string, outDir: string): Promise<AgentBundleResult> {
  mkdirSync(outDir, { recursive: true });
  try {
    await build({
      absWorkingDir: root,
      entryPoints: { main: AGENT_ENTRY },
      outdir: outDir,
      bundle: true,
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      platform: 'node',
      format: 'esm',
      target: TARGET,
      // Maps beside the chunks, not read at start (the agent runs without --enable-source-maps, see
      // infra/docker/Dockerfile): with NODE_OPTIONS=--enable-source-maps a trace names the sources,
      // and a logged trace can be decoded with them. The sources themselves are in the repository.
      sourcemap: true,
      sourcesContent: false,
      logLevel: 'silent',
      external: EXTERNAL,
      plugins: [englishOnlyZodLocales],
      // Bundled CommonJS packages (pino) call require() for Node's built-ins; an ES module has no require of its own.
      banner: { js: "import { createRequire as palisadeCreateRequire } from 'node:module'; const require = palisadeCreateRequire(import.meta.url);" },
    });
  } catch (error) {
    return { ok: false, code: 'BUNDLE_FAILED', message: (error as Error).message };
  }
  const entry = join(outDir, 'main.js');
  return { ok: true, entry, bytes: statSync(entry).size };
}
