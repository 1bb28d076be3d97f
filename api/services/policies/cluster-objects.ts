// A cluster's stored objects as the write service checks them: keyed by identity
// (apiVersion/kind/namespace/name), normalised, before and after the write being checked.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { statement, type Tx } from '../../../db/index.ts';
import { policies } from '../../../db/schema/index.ts';
import { TIER_KIND } from '../../../policy/kinds/calico-tier/schema.ts';
import type { NormalisedResource } from '../../../policy/kinds/define.ts';
import { parseObject } from '../../../policy/kinds/index.ts';

export type PolicyRow = typeof policies.$inferSelect;

export type ObjectIdentity = Pick<PolicyRow, 'apiVersion' | 'kind' | 'namespace' | 'name'>;

export type ObjectsByIdentity = ReadonlyMap<string, NormalisedResource>;

export const identityKey = (object: ObjectIdentity) => JSON.stringify([object.apiVersion, object.kind, object.namespace, object.name]);

/**
 * The cluster's stored objects, normalised: the IR each row kept when it was written, so a write parses
 * only what it writes. A row from before that column existed (until the start-up backfill reaches it)
 * is parsed again; its manifest is read only then. `kinds` narrows the read to those kinds.
 */
const storedColumns = {
  apiVersion: policies.apiVersion,
  kind: policies.kind,
  namespace: policies.namespace,
  name: policies.name,
  resource: policies.resource,
  unbackfilledManifest: sql<unknown>`case when ${policies.resource} is null then ${policies.manifest} end`,
};

const readStored = statement('stored-objects', (tx, values: { clusterId: string }) =>
  tx.select(storedColumns).from(policies).where(eq(policies.clusterId, values.clusterId)),
);
// Every write reads its cluster's tiers: that one narrowing is built once too.
const readStoredTiers = statement('stored-tiers', (tx, values: { clusterId: string }) =>
  tx
    .select(storedColumns)
    .from(policies)
    .where(and(eq(policies.clusterId, values.clusterId), eq(policies.kind, TIER_KIND))),
);

export async function storedObjects(tx: Tx, clusterId: string, kinds?: readonly string[]): Promise<ObjectsByIdentity> {
  const rows =
    kinds === undefined
      ? await readStored(tx, { clusterId })
      : kinds.length === 1 && kinds[0] === TIER_KIND
        ? await readStoredTiers(tx, { clusterId })
        : await tx
            .select(storedColumns)
            .from(policies)
            .where(and(eq(policies.clusterId, clusterId), inArray(policies.kind, [...kinds])));
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

/**
 * The cluster's stored objects as one write's checks ask for them, each read at most once and only
 * when a check needs it. Most writes need the cluster's tiers alone: every object's IR is megabytes in
 * a cluster holding much policy, and parsing it on the API's event loop for every write held up every
 * other tenant's requests behind it (issue 10).
 */
export interface StoredObjectsReader {
  /** The cluster's Tier objects. */
  tiers(): Promise<ObjectsByIdentity>;
  /** Every object of the cluster. */
  all(): Promise<ObjectsByIdentity>;
}

export function storedObjectsReader(tx: Tx, clusterId: string): StoredObjectsReader {
  let tiers: Promise<ObjectsByIdentity> | undefined;
  let all: Promise<ObjectsByIdentity> | undefined;
  return {
    tiers() {
      tiers ??= all ? all.then(tiersOf) : storedObjects(tx, clusterId, [TIER_KIND]);
      return tiers;
    },
    all() {
      all ??= storedObjects(tx, clusterId);
      return all;
    },
  };
}

function tiersOf(objects: ObjectsByIdentity): ObjectsByIdentity {
  return new Map([...objects].filter(([, resource]) => resource.type === 'tier'));
}

/** The stored object of this identity in the cluster, locked for the write, if there is one. */
export async function lockByIdentity(tx: Tx, clusterId: string, identity: ObjectIdentity): Promise<PolicyRow | undefined> {
  const { apiVersion, kind, namespace, name } = identity;
  const [row] = await lockIdentity(tx, { clusterId, apiVersion, kind, namespace, name });
  return row;
}

const lockIdentity = statement('lock-policy-by-identity', (tx, values: ObjectIdentity & { clusterId: string }) =>
  tx
    .select()
    .from(policies)
    .where(
      and(
        eq(policies.clusterId, values.clusterId),
        eq(policies.apiVersion, values.apiVersion),
        eq(policies.kind, values.kind),
        eq(policies.namespace, values.namespace),
        eq(policies.name, values.name),
      ),
    )
    .for('update'),
);

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
