// Reads that walk the API's cursor pages: the pages want whole lists (the board, the agents), and the
// API bounds each page at 200.
import { api, query } from './client.ts';
import type { Page } from './types.ts';

const PAGE_SIZE = 200;
/** A bound on the walk, so a runaway list cannot hang a page: 50 pages of 200. */
const MAX_PAGES = 50;

export async function listAll<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await api<Page<T>>(`${path}${query({ ...params, limit: PAGE_SIZE, cursor })}`);
    items.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return items;
}

/** The latest bundle revision built for a cluster (bundles are listed oldest first), or null before the first. */
export async function latestRevision(clusterId: string): Promise<number | null> {
  const bundles = await listAll<{ revision: number }>(`/v1/clusters/${encodeURIComponent(clusterId)}/bundles`);
  return bundles.reduce<number | null>((latest, bundle) => (latest === null || bundle.revision > latest ? bundle.revision : latest), null);
}
