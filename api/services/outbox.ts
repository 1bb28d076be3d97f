// The outbox: a policy change's promise of a bundle build, written in the change's own transaction.
import { sql } from 'drizzle-orm';
import { OUTBOX_CHANNEL, type Tx } from '../../db/index.ts';
import { outbox } from '../../db/schema/index.ts';

export const BUILD_BUNDLE_TOPIC = 'bundle.build';
/** An EKS cluster registered with a role: the relay turns the row into an onboarding job. */
export const ONBOARD_EKS_TOPIC = 'eks.onboard';
/** An EKS cluster being deleted: the relay turns the row into an offboarding job. */
export const OFFBOARD_EKS_TOPIC = 'eks.offboard';

/**
 * Announces that a cluster's effective policy changed. The row commits with the change or not at all;
 * the NOTIFY (delivered at commit) only wakes the relay early, the row is the truth.
 */
export async function announcePolicyChange(tx: Tx, tenantId: string, clusterId: string): Promise<void> {
  await tx.insert(outbox).values({ tenantId, clusterId, topic: BUILD_BUNDLE_TOPIC });
  await tx.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, ${clusterId})`);
}

/** Promises an onboarding of the EKS cluster, in the transaction that registered it, like a build. */
export async function announceOnboarding(tx: Tx, tenantId: string, clusterId: string): Promise<void> {
  await tx.insert(outbox).values({ tenantId, clusterId, topic: ONBOARD_EKS_TOPIC });
  await tx.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, ${clusterId})`);
}

/** Promises an offboarding of the EKS cluster, in the transaction that asked for its deletion. */
export async function announceOffboarding(tx: Tx, tenantId: string, clusterId: string): Promise<void> {
  await tx.insert(outbox).values({ tenantId, clusterId, topic: OFFBOARD_EKS_TOPIC });
  await tx.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, ${clusterId})`);
}
