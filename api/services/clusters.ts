import { and, eq, isNull } from 'drizzle-orm';
import type { Tx } from '../../db/index.ts';
import { clusters } from '../../db/schema/index.ts';
import { notFound } from '../errors/api-error.ts';
import { requireId } from '../http/ids.ts';

export const liveCluster = (id: string) => and(eq(clusters.id, id), isNull(clusters.deletedAt));

/** A live cluster of the transaction's tenant (RLS hides the others), or 404. */
export async function findCluster(tx: Tx, id: string, options: { lock?: boolean } = {}) {
  const query = tx.select().from(clusters).where(liveCluster(requireId(id, 'cluster')));
  const [row] = options.lock ? await query.for('update') : await query;
  if (!row) throw notFound('cluster');
  return row;
}
