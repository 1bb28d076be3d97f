// Vite's configuration for the console: Preact, a build into console/dist with hashed file names, and
// CodeMirror and uPlot kept out of the first load (they are imported lazily by the pages using them).
import { relative, sep } from 'node:path';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';

/**
 * The console imports only types from the API's schemas (`import type`), never server code: a value
 * import would pull zod, drizzle and the server's modules into the browser. This fails the build when
 * any module from outside console/ (other than an npm package) lands in a chunk.
 */
function onlyConsoleCode(): Plugin {
  const root = relative(process.cwd(), import.meta.dirname) || '.';
  return {
    name: 'palisade-only-console-code',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const output of Object.values(bundle)) {
        if (output.type !== 'chunk') continue;
        for (const id of Object.keys(output.modules)) {
          const path = relative(import.meta.dirname, id.replace(/^\0/, '').split('?')[0]!);
          if (id.startsWith('\0') || path.split(sep).includes('node_modules') || !path.startsWith('..')) continue;
          this.error(`${relative(root, id)} is server code in the console bundle (${output.fileName}): import only types from api/schemas (import type)`);
        }
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [preact(), onlyConsoleCode()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // The budget is checked by console/build/build-console.ts on gzipped sizes; this warning is raw size.
    chunkSizeWarningLimit: 1024,
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:8080', '/openapi.json': 'http://127.0.0.1:8080' } },
});
