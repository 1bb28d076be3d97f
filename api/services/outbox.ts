// The outbox: a policy change's promise of a bundle build, written in the change's own transaction.
import { sql } from 'drizzle-orm';
import { OUTBOX_CHANNEL, type Tx } from '../../db/index.ts';
import { outbox } from '../../db/schema/index.ts';

export const BUILD_BUNDLE_TOPIC = 'bundle.build';

/**
 * Announces that a cluster's effective policy changed. The row commits with the change or not at all;
 * the NOTIFY (delivered at commit) only wakes the relay early, the row is the truth.
 */
export async function announcePolicyChange(tx: Tx, tenantId: string, clusterId: string): Promise<void> {
  await tx.insert(outbox).values({ tenantId, clusterId, topic: BUILD_BUNDLE_TOPIC });
  await tx.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, ${clusterId})`);
}
