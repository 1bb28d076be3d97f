// The one policy write path. Create, replace, delete, promote and apply each plan their changes (the
// objects they write, the rows they replace or remove); everything after the plan happens here, in
// one order, in one transaction:
//
//   role -> lock the tenant's limits -> plan (validate, look up) -> tier checks -> plan limits
//        -> persist -> audit -> outbox
//
// so a check added here holds for every way a policy is written, and every write answers with the
// same warnings: what was accepted but read differently from how it is written (a Calico net with host
// bits read as its network), each path led by the change's prefix. A dry run stops before persisting;
// asked for its impact, it then evaluates the cluster's observed flows against the objects as they
// would be (./impact.ts), in a read of its own once the tenant's lock is released.
import { count, eq, sql } from 'drizzle-orm';
import { inStartOrder, isUniqueViolation, newId, statement, type Tx } from '../../../db/index.ts';
import { policies } from '../../../db/schema/index.ts';
import type { Inventory } from '../../../policy/inventory.ts';
import { ApiError, type FieldError } from '../../errors/api-error.ts';
import { isUuid } from '../../http/ids.ts';
import type { Impact } from '../../schemas/impact.ts';
import { presentPolicy } from '../../schemas/policies.ts';
import { type AuditValues, auditedBy, auditValues } from '../audit.ts';
import { type ApiCaller, inTenant, type TenantContext } from '../context.ts';
import { assertWithinLimit, lockTenantLimits } from '../limits.ts';
import { announcePolicyChange } from '../outbox.ts';
import { requireRole } from '../roles.ts';
import type { AcceptedPolicy } from './accept.ts';
import { identityKey, type ObjectsByIdentity, type PolicyRow, type StoredObjectsReader, storedObjectsReader } from './cluster-objects.ts';
import { assertRulesPerEndpoint, reportedInventory } from './endpoint-rules.ts';
import { type ImpactRequest, previewImpact } from './impact.ts';
import { assertObjectLimits } from './object-limits.ts';
import { assertTiersEmpty, assertTiersExist, type WrittenObject } from './tiers.ts';

export type PolicyChange =
  | ({ action: 'create' } & WrittenObject)
  | ({ action: 'update'; before: PolicyRow } & WrittenObject)
  | { action: 'delete'; before: PolicyRow };

/** What an operation asks to write: its changes to one cluster, or nothing (a repeated delete). */
export type PolicyWritePlan =
  | {
      clusterId: string;
      changes: readonly PolicyChange[];
      /** Check everything, write nothing (apply's dryRun). */
      dryRun?: boolean;
      /** With dryRun: the observed flows since this time whose verdict the change would flip. */
      impact?: { since: Date };
    }
  | { changes: readonly [] };

/**
 * What a caller needs back of each written row: all of it (create and replace answer with the policy),
 * or its id (apply answers with what it was sent, and the id).
 */
export type WrittenAnswer = 'rows' | 'ids';
type WrittenRow<Answer extends WrittenAnswer> = Answer extends 'ids' ? Pick<PolicyRow, 'id'> : PolicyRow;

export interface PolicyWriteOutcome<Plan extends PolicyWritePlan, Answer extends WrittenAnswer = 'rows'> {
  plan: Plan;
  /** One per change, in order: the row as written (or its id), or undefined for a delete (and for a dry run). */
  rows: (WrittenRow<Answer> | undefined)[];
  /** A dry run's impact, when the plan asked for it. */
  impact?: Impact;
  /** The written objects' warnings, in change order, paths led by each change's pathPrefix. */
  warnings: FieldError[];
}

/** One object written (create, replace): its row and the warnings its write answers with. */
export interface PolicyWritten {
  row: PolicyRow;
  warnings: FieldError[];
}

/** What a caller knows before its plan runs, and what it needs back. */
export interface PolicyWriteHints<Answer extends WrittenAnswer = 'rows'> {
  /**
   * The cluster the plan will write to, as the request names it (apply, create): the checks' reads of
   * that cluster then travel with the plan's own, a round trip fewer. A plan for another cluster (or
   * none) is checked with reads of its own, as without the hint.
   */
  clusterId?: string;
  /**
   * 'ids': the caller needs only each written row's id, so the writes return only that: the server
   * then sends, and this process parses, no row's manifests and IR back. Without it, whole rows.
   */
  answer?: Answer;
}

/** The reads most writes' checks need, started early for the cluster a request names. */
interface CheckReads {
  clusterId: string;
  stored: StoredObjectsReader;
  tiers: Promise<ObjectsByIdentity>;
  inventory: Promise<Inventory | undefined>;
}

function startCheckReads(tx: Tx, clusterId: string): CheckReads {
  const stored = storedObjectsReader(tx, clusterId);
  return { clusterId, stored, tiers: stored.tiers(), inventory: reportedInventory(tx, clusterId) };
}

/**
 * Runs `plan` in a tenant transaction after the tenant's limits are locked (so concurrent writes of
 * one tenant check their limits one after another, and every write takes its locks in the same
 * order), then checks, persists, audits and announces its changes.
 */
export async function writePolicies<Plan extends PolicyWritePlan, Answer extends WrittenAnswer = 'rows'>(
  ctx: TenantContext,
  plan: (tx: Tx) => Promise<Plan>,
  hints: PolicyWriteHints<Answer> = {},
): Promise<PolicyWriteOutcome<Plan, Answer>> {
  requireRole(ctx.caller.role, 'editor');
  let preview: ImpactRequest | undefined;
  const answer: WrittenAnswer = hints.answer ?? 'rows';
  const outcome = await inTenant(ctx, async (tx): Promise<PolicyWriteOutcome<Plan, Answer>> => {
    // The plan's reads travel behind the lock (db/pipeline.ts): the server takes the lock before it runs
    // them, and the checks' reads of a named cluster after them. A malformed id is the plan's 404 to give.
    // Started in this order, so sent in it (each statement's query starts as it is called).
    const locked = lockTenantLimits(tx, ctx.caller.tenantId);
    const planning = plan(tx);
    const early = hints.clusterId !== undefined && isUuid(hints.clusterId) ? startCheckReads(tx, hints.clusterId.toLowerCase()) : undefined;
    const [limits, planned] = await inStartOrder(locked, planning, early?.tiers ?? Promise.resolve(undefined), early?.inventory ?? Promise.resolve(undefined));
    if (!('clusterId' in planned)) return { plan: planned, rows: [], warnings: [] };
    if (planned.changes.length === 0) {
      // Nothing changes (an apply of what is stored): nothing can flip, but the preview still says what it looked at.
      if (planned.dryRun && planned.impact) {
        const stored = await storedObjectsReader(tx, planned.clusterId).all();
        preview = { clusterId: planned.clusterId, before: stored.values(), after: stored.values(), since: planned.impact.since };
      }
      return { plan: planned, rows: [], warnings: [] };
    }
    const { clusterId, changes } = planned;
    const written = changes.flatMap((change) => (change.action === 'delete' ? [] : [change]));
    const warnings = written.flatMap(({ object, pathPrefix }) =>
      object.warnings.map((warning) => ({ path: warning.path ? `${pathPrefix}${warning.path}` : pathPrefix.replace(/\.$/, ''), message: warning.message })),
    );

    // Read as the checks ask: most writes need the cluster's tiers alone, not every object's IR.
    const prefetched = early?.clusterId === clusterId ? early : undefined;
    const stored = prefetched?.stored ?? storedObjectsReader(tx, clusterId);
    let read: Promise<{ before: ObjectsByIdentity; after: ObjectsByIdentity }> | undefined;
    const states = () => {
      read ??= stored.all().then((before) => ({ before, after: objectsAfter(before, changes) }));
      return read;
    };
    const added = changes.filter((change) => change.action === 'create').length - changes.filter((change) => change.action === 'delete').length;
    // The checks' reads travel together; the checks then run in their order.
    const [tiers, usage, inventory] = await inStartOrder(
      stored.tiers(),
      added > 0 ? countPolicies(tx) : Promise.resolve(undefined),
      written.length === 0 ? Promise.resolve(undefined) : (prefetched?.inventory ?? reportedInventory(tx, clusterId)),
    );
    assertTiersExist(written, objectsAfter(tiers, changes).values());
    const deletedTiers = changes.flatMap((change) => (change.action === 'delete' && change.before.kind === 'Tier' ? [change.before.name] : []));
    if (deletedTiers.length > 0) assertTiersEmpty(deletedTiers, (await states()).after.values());

    for (const { object, pathPrefix } of written) assertObjectLimits(limits, object, pathPrefix);
    if (usage !== undefined) assertWithinLimit(limits, 'policies', usage, usage + added);
    if (inventory) await assertRulesPerEndpoint(inventory, limits, states);

    if (planned.dryRun) {
      if (planned.impact) {
        const { before, after } = await states();
        preview = { clusterId, before: before.values(), after: after.values(), since: planned.impact.since };
      }
      return { plan: planned, rows: changes.map(() => undefined), warnings };
    }
    // The announcement, then every change's write and audit entry, go in one round trip: they commit
    // together or not at all, and a failure (a create's name taken meanwhile) is still the first one
    // answered with its cause (the announcement's insert does not fail on its own). The announcement
    // goes first because postgres.js sends what it holds once it passes 1 KB: the small statement then
    // leaves with the first large one instead of in a socket write of its own.
    const announcing = announcePolicyChange(tx, ctx.caller.tenantId, clusterId);
    const writing = changes.map((change) => persist(tx, ctx.caller, clusterId, change, answer));
    const [, rows] = await inStartOrder(announcing, inStartOrder(...writing));
    // persist answered in the shape `answer` (the same as hints.answer) asks for.
    return { plan: planned, rows: rows as (WrittenRow<Answer> | undefined)[], warnings };
  });
  return preview ? { ...outcome, impact: await previewImpact(ctx, preview) } : outcome;
}

const countRows = statement('count-policies', (tx, _: Record<string, never>) => tx.select({ n: count() }).from(policies));

async function countPolicies(tx: Tx): Promise<number> {
  const [usage] = await countRows(tx, {});
  return usage!.n;
}

type PolicyInsert = Required<Omit<typeof policies.$inferInsert, 'version'>>;

// A write's statements, built once (db/statements.ts).
// Each change is one statement with its audit entry's insert (auditedBy): one socket write and one
// statement on the server where a change and its entry took two. Each comes returning the whole row,
// and returning its id only (WrittenAnswer).
const insertQuery = (tx: Tx, values: PolicyInsert & AuditValues) =>
  tx.with(auditedBy(tx, values)).insert(policies).values({
    id: values.id,
    tenantId: values.tenantId,
    clusterId: values.clusterId,
    apiVersion: values.apiVersion,
    kind: values.kind,
    namespace: values.namespace,
    name: values.name,
    manifest: values.manifest,
    writtenManifest: values.writtenManifest,
    ruleCount: values.ruleCount,
    resource: values.resource,
    version: 1,
    createdAt: values.createdAt,
    updatedAt: values.updatedAt,
  });
const insertPolicy = statement('insert-policy', (tx, values: PolicyInsert & AuditValues) => insertQuery(tx, values).returning());
const insertPolicyId = statement('insert-policy-id', (tx, values: PolicyInsert & AuditValues) => insertQuery(tx, values).returning({ id: policies.id }));

type PolicyUpdate = Pick<PolicyInsert, 'id' | 'apiVersion' | 'manifest' | 'writtenManifest' | 'ruleCount' | 'resource' | 'updatedAt'> & AuditValues;
const updateQuery = (tx: Tx, values: PolicyUpdate) =>
  tx
    .with(auditedBy(tx, values))
    .update(policies)
    .set({
      apiVersion: values.apiVersion,
      manifest: values.manifest,
      writtenManifest: values.writtenManifest,
      ruleCount: values.ruleCount,
      resource: values.resource,
      updatedAt: values.updatedAt,
      version: sql`${policies.version} + 1`,
    })
    .where(eq(policies.id, values.id));
const updatePolicy = statement('update-policy', (tx, values: PolicyUpdate) => updateQuery(tx, values).returning());
const updatePolicyId = statement('update-policy-id', (tx, values: PolicyUpdate) => updateQuery(tx, values).returning({ id: policies.id }));

const deletePolicy = statement('delete-policy', (tx, values: { id: string } & AuditValues) =>
  tx.with(auditedBy(tx, values)).delete(policies).where(eq(policies.id, values.id)),
);

function objectsAfter(before: ObjectsByIdentity, changes: readonly PolicyChange[]): ObjectsByIdentity {
  const after = new Map(before);
  for (const change of changes) {
    if (change.action === 'delete') after.delete(identityKey(change.before));
    else after.set(identityKey(change.object), change.object.resource);
  }
  return after;
}

/**
 * Writes one change with its audit entry, in one statement: the entry is made from the row as the write
 * leaves it, which is known here (the times are set from this clock, and what the entry shows of a row
 * holds no column the database computes), not from the row the write returns.
 */
function persist(tx: Tx, caller: ApiCaller, clusterId: string, change: PolicyChange, answer: WrittenAnswer): Promise<Pick<PolicyRow, 'id'> | undefined> {
  switch (change.action) {
    case 'create': {
      const { warnings: _notStored, ...columns } = change.object;
      const now = new Date();
      const values = { id: newId(), tenantId: caller.tenantId, clusterId, ...columns, version: 1, createdAt: now, updatedAt: now };
      const audit = auditValues(caller, { action: 'create', resourceType: 'policy', resourceId: values.id, after: presentPolicy(values) });
      return (answer === 'ids' ? insertPolicyId : insertPolicy)(tx, { ...values, ...audit })
        .then(([row]) => row!)
        .catch((error: unknown) => {
          if (!isUniqueViolation(error)) throw error;
          throw conflictOf(change.object, change.pathPrefix);
        });
    }
    case 'update': {
      const { object, before } = change;
      const columns = {
        apiVersion: object.apiVersion,
        manifest: object.manifest,
        writtenManifest: object.writtenManifest,
        ruleCount: object.ruleCount,
        resource: object.resource,
        updatedAt: new Date(),
      };
      const audit = auditValues(caller, {
        action: 'update',
        resourceType: 'policy',
        resourceId: before.id,
        before: presentPolicy(before),
        after: presentPolicy({ ...before, ...columns }),
      });
      return (answer === 'ids' ? updatePolicyId : updatePolicy)(tx, { id: before.id, ...columns, ...audit }).then(([row]) => row!);
    }
    case 'delete': {
      const audit = auditValues(caller, { action: 'delete', resourceType: 'policy', resourceId: change.before.id, before: presentPolicy(change.before) });
      return deletePolicy(tx, { id: change.before.id, ...audit }).then(() => undefined);
    }
  }
}

function conflictOf(object: AcceptedPolicy, pathPrefix: string): ApiError {
  return new ApiError('CONFLICT', `${object.kind} ${object.namespace}/${object.name} exists in this cluster; PUT /v1/policies/{id} replaces it`, {
    errors: [{ path: `${pathPrefix}metadata.name`, message: 'already exists' }],
  });
}
