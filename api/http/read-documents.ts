// Bodies for apply hold several objects, as kubectl takes them: a multi-document YAML stream, a JSON
// array, or a Kubernetes List (`kind: List` with `items`). Each object keeps its index for error paths.
import type { Context } from 'hono';
import { MAX_NESTING_DEPTH } from '../../policy/validation/text.ts';
import { ApiError } from '../errors/api-error.ts';
import { readDocument } from './read-document.ts';
import { YAML_MEDIA_TYPES } from './read-yaml.ts';
import { parseYamlBody } from './yaml-parse-pool.ts';

export async function readDocuments(c: Context): Promise<unknown[]> {
  const contentType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const documents = YAML_MEDIA_TYPES.includes(contentType) ? await parseYamlBody(await c.req.text()) : [await readDocument(c)];
  return documents.flatMap(flattenList);
}

/**
 * Arrays inside arrays flatten into one list of objects, a List into its items (not flattened
 * further). Iterative, with the arrays' nesting bounded, so a body of thousands of `[` answers 422
 * instead of overflowing the stack.
 */
function flattenList(value: unknown): unknown[] {
  const objects: unknown[] = [];
  // Each entry: an array being walked and the index of its next item.
  const pending: { items: unknown[]; next: number }[] = [];
  let current: unknown = value;
  for (;;) {
    if (Array.isArray(current)) {
      if (pending.length >= MAX_NESTING_DEPTH)
        throw new ApiError('VALIDATION_FAILED', `arrays nest more than ${MAX_NESTING_DEPTH} levels deep`, {
          errors: [{ path: '', message: `must not nest more than ${MAX_NESTING_DEPTH} levels deep` }],
        });
      pending.push({ items: current, next: 0 });
    } else {
      // A loop, not push(...items): spreading a list of a million arguments overflows the stack too.
      for (const item of itemsOf(current)) objects.push(item);
    }
    const step = nextItem(pending);
    if (!step.found) return objects;
    current = step.item;
  }
}

function nextItem(pending: { items: unknown[]; next: number }[]): { found: true; item: unknown } | { found: false } {
  for (let top = pending.at(-1); top !== undefined; top = pending.at(-1)) {
    if (top.next < top.items.length) return { found: true, item: top.items[top.next++] };
    pending.pop();
  }
  return { found: false };
}

function itemsOf(value: unknown): unknown[] {
  if (value && typeof value === 'object' && (value as { kind?: unknown }).kind === 'List') {
    const items = (value as { items?: unknown }).items;
    if (!Array.isArray(items))
      throw new ApiError('VALIDATION_FAILED', 'a List needs an items array', { errors: [{ path: 'items', message: 'must be an array' }] });
    return items;
  }
  return [value];
}
