// The outbox: a policy change's promise of a bundle build, written in the change's own transaction.
import { sql } from 'drizzle-orm';
import { OUTBOX_CHANNEL, sqlStatement, statement, type Tx } from '../../db/index.ts';
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
export function announcePolicyChange(tx: Tx, tenantId: string, clusterId: string): Promise<void> {
  return announce(tx, tenantId, clusterId, BUILD_BUNDLE_TOPIC);
}

/**
 * The row and its NOTIFY are one statement: the notification is sent from the insert's own select, so
 * it commits with the row or not at all, as when it was a statement of its own, and a write sends one
 * statement fewer (postgres.js wrote the NOTIFY, a simple-protocol statement, in a socket write of its
 * own: one of the seven of a policy write). Its order among the transaction's statements never
 * mattered: a NOTIFY is delivered at commit.
 */
async function announce(tx: Tx, tenantId: string, clusterId: string, topic: string): Promise<void> {
  await insertAndNotify(tx, { tenantId, clusterId, topic });
}

const column = (name: string) => sql.identifier(name);

const insertAndNotify = statement('announce', (tx, values: { tenantId: string; clusterId: string; topic: string }) =>
  sqlStatement(
    tx,
    sql`insert into ${outbox} (${column(outbox.tenantId.name)}, ${column(outbox.clusterId.name)}, ${column(outbox.topic.name)})
      select ${values.tenantId}::uuid, ${values.clusterId}::uuid, ${values.topic} from (select pg_notify(${OUTBOX_CHANNEL}, ${values.clusterId})) as notified`,
  ),
);

/** Promises an onboarding of the EKS cluster, in the transaction that registered it, like a build. */
export function announceOnboarding(tx: Tx, tenantId: string, clusterId: string): Promise<void> {
  return announce(tx, tenantId, clusterId, ONBOARD_EKS_TOPIC);
}

/** Promises an offboarding of the EKS cluster, in the transaction that asked for its deletion. */
export function announceOffboarding(tx: Tx, tenantId: string, clusterId: string): Promise<void> {
  return announce(tx, tenantId, clusterId, OFFBOARD_EKS_TOPIC);
}
