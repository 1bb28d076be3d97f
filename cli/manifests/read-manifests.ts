// `-f FILE|DIR|- [-R]` as kubectl reads it: YAML or JSON files (a directory's .yaml, .yml and .json
// files in name order, its subdirectories too with -R; `-` for stdin), multi-document YAML, `List` kinds flattened,
// and each object's namespace settled (./namespaces.ts). Every object keeps where it came from, so an
// error the API reports at `3.spec.x` can name the file and document.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from '../api/policies.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { withNamespace } from './namespaces.ts';

export interface SourcedManifest {
  manifest: Manifest;
  /** `policies/web.yaml#2`: the file and the document's place in it (from 1). */
  source: string;
}

export interface ReadOptions {
  recursive: boolean;
  namespace?: string | undefined;
  /** What `-f -` reads (kubectl's spelling for stdin). */
  stdin: () => Promise<string>;
}

const STDIN = '-';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

async function filesOf(path: string, recursive: boolean, top = true): Promise<string[]> {
  if (path === STDIN) return [STDIN];
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new CliError(EXIT.USAGE, `-f ${path}: no such file or directory`, 'check the path');
  }
  if (!info.isDirectory()) return top || MANIFEST_EXTENSIONS.has(extname(path)) ? [path] : [];
  if (!top && !recursive) return [];
  const entries = (await readdir(path)).sort();
  const nested = await Promise.all(entries.map((entry) => filesOf(join(path, entry), recursive, false)));
  return nested.flat();
}

const isObject = (value: unknown): value is Manifest => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `kind: List` (and typed lists such as NetworkPolicyList) hold their objects in `items`. */
function flattenLists(value: Manifest): Manifest[] {
  if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) return value.items.filter(isObject).flatMap(flattenLists);
  return [value];
}

function parseFile(file: string, text: string): SourcedManifest[] {
  const out: SourcedManifest[] = [];
  parseAllDocuments(text).forEach((document, index) => {
    const source = `${file}#${index + 1}`;
    const [error] = document.errors;
    if (error) {
      const line = error.linePos?.[0].line;
      throw new CliError(
        EXIT.REFUSED,
        `${source}${line ? ` line ${line}` : ''}: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
        'fix the YAML and try again',
      );
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return;
    if (!isObject(value))
      throw new CliError(EXIT.REFUSED, `${source}: is not an object (a mapping with apiVersion, kind and metadata)`, 'fix the file and try again');
    for (const manifest of flattenLists(value)) out.push({ manifest, source });
  });
  return out;
}

export async function readManifests(paths: readonly string[], options: ReadOptions): Promise<SourcedManifest[]> {
  const files = (await Promise.all(paths.map((path) => filesOf(path, options.recursive)))).flat();
  const manifests: SourcedManifest[] = [];
  for (const file of files) {
    const text = file === STDIN ? await options.stdin() : await readFile(file, 'utf8');
    for (const { manifest, source } of parseFile(file === STDIN ? 'stdin' : file, text)) {
      manifests.push({ manifest: withNamespace(manifest, options.namespace, source), source });
    }
  }
  if (manifests.length === 0) throw new CliError(EXIT.USAGE, `no objects in ${paths.join(', ')}`, 'point -f at YAML or JSON files (add -R for subdirectories)');
  return manifests;
}

/**
 * The API reports a field of document N of the request as `N.path` (or as `path` when one document
 * was sent); this names the file, the document and the object instead.
 */
export function describeManifestField(manifests: readonly SourcedManifest[]): (path: string) => string {
  return (path) => {
    const match = /^(\d+)(?:\.(.*))?$/.exec(path);
    const index = match ? Number(match[1]) : manifests.length === 1 ? 0 : undefined;
    const entry = index === undefined ? undefined : manifests[index];
    if (!entry) return path;
    const field = match ? (match[2] ?? '') : path;
    return `${entry.source}${field ? ` ${field}` : ''}`;
  };
}
