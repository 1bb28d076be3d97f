// The outbox: a policy change's promise of a bundle build, written in the change's own transaction.
import { sql } from 'drizzle-orm';
import { OUTBOX_CHANNEL, statement, type Tx, uuidLiteral } from '../../db/index.ts';
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
 * The NOTIFY rides with the row's insert: it goes first, without parameters, so both are sent before
 * either answers (a parameterised statement would take a round trip of its own and hold back the
 * insert: db/ids.ts uuidLiteral). Their order does not matter: a NOTIFY is delivered at commit.
 */
async function announce(tx: Tx, tenantId: string, clusterId: string, topic: string): Promise<void> {
  await Promise.all([tx.execute(sql.raw(`select pg_notify('${OUTBOX_CHANNEL}', ${uuidLiteral(clusterId)})`)), insertRow(tx, { tenantId, clusterId, topic })]);
}

const insertRow = statement('insert-outbox-row', (tx, values: { tenantId: string; clusterId: string; topic: string }) =>
  tx.insert(outbox).values({ tenantId: values.tenantId, clusterId: values.clusterId, topic: values.topic }),
);

/** Promises an onboarding of the EKS cluster, in the transaction that registered it, like a build. */
export function announceOnboarding(tx: Tx, tenantId: string, clusterId: string): Promise<void> {
  return announce(tx, tenantId, clusterId, ONBOARD_EKS_TOPIC);
}

/** Promises an offboarding of the EKS cluster, in the transaction that asked for its deletion. */
export function announceOffboarding(tx: Tx, tenantId: string, clusterId: string): Promise<void> {
  return announce(tx, tenantId, clusterId, OFFBOARD_EKS_TOPIC);
}
