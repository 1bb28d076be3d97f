// Bundle history is bounded: a worker pass removes the bundles no agent needs any more (a cluster keeps
// its last revisions and every revision an agent still reports). It runs as the application role
// through palisade_prune_bundles, the one function that decides what is prunable (migration
// 0012_bundle-pruning): the role itself cannot delete a bundle.
import { sql } from 'drizzle-orm';
import { type Db, rowsOf, withoutTenant } from '../../db/index.ts';

/** Returns how many bundles it removed. */
export async function pruneBundles(db: Db): Promise<number> {
  const [row] = await withoutTenant(db, async (tx) => rowsOf<{ pruned: string | number }>(await tx.execute(sql`select palisade_prune_bundles() as pruned`)));
  return Number(row?.pruned ?? 0);
}
