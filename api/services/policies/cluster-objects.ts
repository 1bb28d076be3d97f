// A cluster's stored objects as the write service checks them: keyed by identity
// (apiVersion/kind/namespace/name), normalised, before and after the write being checked.
import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../../db/index.ts';
import { policies } from '../../../db/schema/index.ts';
import type { NormalisedResource } from '../../../policy/kinds/define.ts';
import { parseObject } from '../../../policy/kinds/index.ts';

export type PolicyRow = typeof policies.$inferSelect;

export type ObjectIdentity = Pick<PolicyRow, 'apiVersion' | 'kind' | 'namespace' | 'name'>;

export type ObjectsByIdentity = ReadonlyMap<string, NormalisedResource>;

export const identityKey = (object: ObjectIdentity) => JSON.stringify([object.apiVersion, object.kind, object.namespace, object.name]);

/** The cluster's stored objects, normalised (they validated when written). */
export async function storedObjects(tx: Tx, clusterId: string): Promise<ObjectsByIdentity> {
  const rows = await tx
    .select({ apiVersion: policies.apiVersion, kind: policies.kind, namespace: policies.namespace, name: policies.name, manifest: policies.manifest })
    .from(policies)
    .where(eq(policies.clusterId, clusterId));
  const stored = new Map<string, NormalisedResource>();
  for (const row of rows) {
    const parsed = parseObject(row.manifest);
    if (parsed.ok) stored.set(identityKey(row), parsed.resource);
  }
  return stored;
}

/** The stored object of this identity in the cluster, locked for the write, if there is one. */
export async function lockByIdentity(tx: Tx, clusterId: string, identity: ObjectIdentity): Promise<PolicyRow | undefined> {
  const [row] = await tx
    .select()
    .from(policies)
    .where(
      and(
        eq(policies.clusterId, clusterId),
        eq(policies.apiVersion, identity.apiVersion),
        eq(policies.kind, identity.kind),
        eq(policies.namespace, identity.namespace),
        eq(policies.name, identity.name),
      ),
    )
    .for('update');
  return row;
}

/** The tenant's stored object with this id, locked for the write, if there is one (RLS hides others'). */
export async function lockById(tx: Tx, id: string): Promise<PolicyRow | undefined> {
  const [row] = await tx.select().from(policies).where(eq(policies.id, id)).for('update');
  return row;
}
