// What the tenant-read tests (cluster pages, flow pages, people reads) share: filter values a wrongly
// written literal would misread, a viewer's context, and the four clusters a page's 404s are judged on.
import type { TenantContext } from '../../api/services/context.ts';
import { type Database, newId } from '../../db/index.ts';
import { clusters } from '../../db/schema/index.ts';

/** Quotes, backslashes, an injection and a placeholder: each must be matched as exactly itself. */
export const HOSTILE_VALUES: readonly string[] = ["it's", "a\\'b", '\\', "'; select * from policies; --", "x' or 'x' = 'x", "E'\\\\'", '$1'];

export const viewerOf = (database: Database, tenantId: string): TenantContext => ({ db: database.db, caller: { tenantId, role: 'viewer', actor: 'test' } });

export interface PageClusters {
  /** The tenant's cluster the test fills. */
  full: string;
  /** The tenant's cluster with nothing in it: an empty page, not a 404. */
  empty: string;
  /** The tenant's deleted cluster: a 404. */
  deleted: string;
  /** The other tenant's cluster: a 404 to the tenant. */
  theirs: string;
}

/** Inserts `mine`'s full, empty and deleted clusters and `theirs`'s one. */
export async function insertPageClusters(database: Database, mine: string, theirs: string): Promise<PageClusters> {
  const ids = { full: newId(), empty: newId(), deleted: newId(), theirs: newId() };
  await database.db.insert(clusters).values([
    { id: ids.full, tenantId: mine, name: 'full', provider: 'kind' },
    { id: ids.empty, tenantId: mine, name: 'empty', provider: 'kind' },
    { id: ids.deleted, tenantId: mine, name: 'gone', provider: 'kind', deletedAt: new Date() },
    { id: ids.theirs, tenantId: theirs, name: 'full', provider: 'kind' },
  ]);
  return ids;
}
