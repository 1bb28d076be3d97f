// Gzipped JavaScript sizes of a console build, from Vite's manifest: the first load is the entry chunk
// and every chunk it imports statically (what the browser fetches before the first page renders); the
// total adds the lazy chunks (CodeMirror, uPlot), fetched when a page needs them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The budget for the first load. */
export const FIRST_LOAD_BUDGET_GZIP_BYTES = 200 * 1024;

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

export interface ChunkSize {
  file: string;
  gzipBytes: number;
  firstLoad: boolean;
}

export interface BundleSizes {
  chunks: ChunkSize[];
  firstLoadGzipBytes: number;
  totalGzipBytes: number;
}

export function bundleSizes(distDir: string): BundleSizes {
  const manifest = JSON.parse(readFileSync(join(distDir, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const firstLoad = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || firstLoad.has(chunk.file)) return;
    firstLoad.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  const files = new Set(Object.values(manifest).map((chunk) => chunk.file));
  const chunks = [...files]
    .filter((file) => file.endsWith('.js'))
    .sort()
    .map((file) => ({ file, gzipBytes: gzipSync(readFileSync(join(distDir, file)), { level: 9 }).length, firstLoad: firstLoad.has(file) }));
  const sum = (list: ChunkSize[]) => list.reduce((total, chunk) => total + chunk.gzipBytes, 0);
  return { chunks, firstLoadGzipBytes: sum(chunks.filter((chunk) => chunk.firstLoad)), totalGzipBytes: sum(chunks) };
}
