// Ids in request paths: checked before any query, so a malformed one answers like an unknown one.
import { notFound } from '../errors/api-error.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (id: string): boolean => UUID.test(id);

/** A malformed id names no object of this tenant: 404, the same answer as another tenant's id. */
export function requireId(id: string, what: string): string {
  if (!isUuid(id)) throw notFound(what);
  return id.toLowerCase();
}
