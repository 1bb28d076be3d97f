// Cursor pagination for lists: a page is `limit` items after the cursor, in id order.
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

/** Callers fetch limit + 1 rows: the extra one only tells whether another page exists. */
export function toPage<Row extends { id: string }, Item>(rows: Row[], request: PageRequest, present: (row: Row) => Item) {
  const items = rows.slice(0, request.limit);
  const nextCursor = rows.length > request.limit ? items[items.length - 1]!.id : null;
  return { items: items.map(present), nextCursor };
}
