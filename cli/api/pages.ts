// Cursor-paginated lists (`{ items, nextCursor }`): one page's schema, and every page read in turn.
import { z } from 'zod';
import type { ApiClient } from './client.ts';

/** The API's largest page: fewer round trips for a whole list. */
const PAGE_SIZE = 200;

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export async function readAllPages<T>(client: ApiClient, path: string, item: z.ZodType<T>, query: Record<string, string | undefined> = {}): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.request('GET', path, { query: { ...query, limit: PAGE_SIZE, cursor }, schema: pageOf(item) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}
