// A cluster's stored objects as the write service checks them: keyed by identity
// (apiVersion/kind/namespace/name), normalised, before and after the write being checked.
import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../../db/index.ts';
import { policies } from '../../../db/schema/index.ts';
import type { NormalisedResource } from '../../../policy/kinds/define.ts';
import { parseObject } from '../../../policy/kinds/index.ts';

export type PolicyRow = typeof policies.$inferSelect;

export type ObjectIdentity = Pick<PolicyRow, 'apiVersion' | 'kind' | 'namespace' | 'name'>;

export type ObjectsByIdentity = ReadonlyMap<string, NormalisedResource>;

export const identityKey = (object: ObjectIdentity) => JSON.stringify([object.apiVersion, object.kind, object.namespace, object.name]);

/**
 * The cluster's stored objects, normalised: the IR each row kept when it was written, so a write parses
 * only what it writes. A row from before that column existed (until the start-up backfill reaches it)
 * is parsed again; its manifest is read only then.
 */
export async function storedObjects(tx: Tx, clusterId: string): Promise<ObjectsByIdentity> {
  const rows = await tx
    .select({
      apiVersion: policies.apiVersion,
      kind: policies.kind,
      namespace: policies.namespace,
      name: policies.name,
      resource: policies.resource,
      unbackfilledManifest: sql<unknown>`case when ${policies.resource} is null then ${policies.manifest} end`,
    })
    .from(policies)
    .where(eq(policies.clusterId, clusterId));
  const stored = new Map<string, NormalisedResource>();
  for (const row of rows) {
    if (row.resource) {
      stored.set(identityKey(row), row.resource);
      continue;
    }
    const parsed = parseObject(row.unbackfilledManifest);
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

/** An annotation `key` whose value is `value`: what marks the objects an apply with prune may delete. */
export interface PruneMarker {
  annotation: string;
  value: string;
}

/** The cluster's stored objects carrying the marker annotation, locked for the write. */
export async function lockMarked(tx: Tx, clusterId: string, marker: PruneMarker): Promise<PolicyRow[]> {
  return tx
    .select()
    .from(policies)
    .where(and(eq(policies.clusterId, clusterId), sql`${policies.manifest} -> 'metadata' -> 'annotations' ->> ${marker.annotation} = ${marker.value}`))
    .orderBy(policies.id)
    .for('update');
}

/** The tenant's stored object with this id, locked for the write, if there is one (RLS hides others'). */
export async function lockById(tx: Tx, id: string): Promise<PolicyRow | undefined> {
  const [row] = await tx.select().from(policies).where(eq(policies.id, id)).for('update');
  return row;
}
