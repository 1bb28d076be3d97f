// Bodies for apply hold several objects, as kubectl takes them: a multi-document YAML stream, a JSON
// array, or a Kubernetes List (`kind: List` with `items`). Each object keeps its index for error paths.
import type { Context } from 'hono';
import { parseAllDocuments } from 'yaml';
import { ApiError } from '../errors/api-error.ts';
import { readDocument } from './read-document.ts';

const YAML_TYPES = ['application/yaml', 'application/x-yaml'];

export async function readDocuments(c: Context): Promise<unknown[]> {
  const contentType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const documents = YAML_TYPES.includes(contentType) ? parseYamlStream(await c.req.text()) : [await readDocument(c)];
  return documents.flatMap(flattenList);
}

function parseYamlStream(text: string): unknown[] {
  const documents = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  if (!Array.isArray(documents)) return [];
  const values: unknown[] = [];
  documents.forEach((document, index) => {
    const [error] = document.errors;
    if (error) {
      const position = error.linePos?.[0];
      throw new ApiError(
        'BAD_REQUEST',
        `malformed YAML in document ${index + 1}${position ? ` at line ${position.line}, column ${position.col}` : ''}: ${error.code}`,
      );
    }
    const value = document.toJS({ maxAliasCount: 100 });
    // `---` at the end or between comments yields empty documents; kubectl skips them too.
    if (value !== null && value !== undefined) values.push(value);
  });
  return values;
}

function flattenList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(flattenList);
  if (value && typeof value === 'object' && (value as { kind?: unknown }).kind === 'List') {
    const items = (value as { items?: unknown }).items;
    if (!Array.isArray(items))
      throw new ApiError('VALIDATION_FAILED', 'a List needs an items array', { errors: [{ path: 'items', message: 'must be an array' }] });
    return items;
  }
  return [value];
}
