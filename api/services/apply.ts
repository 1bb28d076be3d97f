// Apply, as kubectl does it: each object is created or replaced by kind/namespace/name in one cluster.
// All or nothing: every object is validated first, then all are written in one transaction (or, with
// dryRun, only compared), with one outbox row for the whole change.
import { and, count, eq, sql } from 'drizzle-orm';
import { newId, type Tx } from '../../db/index.ts';
import { policies } from '../../db/schema/index.ts';
import { canonicalJson } from '../../policy/bundle/canonical-json.ts';
import type { ApiCaller } from '../env.ts';
import { validationFailed, type FieldError } from '../errors/api-error.ts';
import { recordAudit } from './audit.ts';
import { assertWithinLimit, lockTenantLimits } from './limits.ts';
import { announcePolicyChange } from './outbox.ts';
import { assertRulesPerEndpoint } from './endpoint-rules.ts';
import { assertObjectLimits } from './object-limits.ts';
import { acceptPolicyDocument, assertTiersExist, type AcceptedPolicy } from './policies.ts';
import { presentPolicy } from '../routes/policies/schemas.ts';

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface ApplyResult {
  kind: string;
  namespace: string | null;
  name: string;
  action: ApplyAction;
  id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
}

/** Validates every document before anything is looked up, so one bad object names all the problems. */
export function acceptAll(documents: unknown[]): AcceptedPolicy[] {
  const errors: FieldError[] = [];
  const accepted: AcceptedPolicy[] = [];
  const seen = new Map<string, number>();
  documents.forEach((document, index) => {
    try {
      const policy = acceptPolicyDocument(document);
      const identity = `${policy.apiVersion}/${policy.kind}/${policy.namespace}/${policy.name}`;
      const first = seen.get(identity);
      if (first !== undefined) errors.push({ path: `${index}.metadata.name`, message: `duplicates document ${first} (${identity})` });
      seen.set(identity, index);
      accepted.push(policy);
    } catch (error) {
      const fieldErrors = (error as { details?: { errors?: FieldError[] } }).details?.errors;
      if (!fieldErrors) throw error;
      errors.push(...fieldErrors.map((fieldError) => ({ path: fieldError.path ? `${index}.${fieldError.path}` : String(index), message: fieldError.message })));
    }
  });
  if (errors.length > 0) throw validationFailed(errors);
  return accepted;
}

export async function applyPolicies(tx: Tx, caller: ApiCaller, clusterId: string, accepted: AcceptedPolicy[], dryRun: boolean): Promise<ApplyResult[]> {
  const limits = await lockTenantLimits(tx, caller.tenantId);
  await assertTiersExist(tx, clusterId, accepted);
  const results: ApplyResult[] = [];
  const writes: { policy: AcceptedPolicy; existing: typeof policies.$inferSelect | undefined }[] = [];
  for (const [index, policy] of accepted.entries()) {
    // Paths as acceptAll gives them: the document's index first.
    assertObjectLimits(limits, policy, `${index}.`);
    const [existing] = await tx
      .select()
      .from(policies)
      .where(
        and(
          eq(policies.clusterId, clusterId),
          eq(policies.apiVersion, policy.apiVersion),
          eq(policies.kind, policy.kind),
          eq(policies.namespace, policy.namespace),
          eq(policies.name, policy.name),
        ),
      )
      .for('update');
    const unchanged = existing !== undefined && canonicalJson(existing.manifest) === canonicalJson(policy.manifest);
    results.push({
      kind: policy.kind,
      namespace: policy.namespace || null,
      name: policy.name,
      action: existing === undefined ? 'created' : unchanged ? 'unchanged' : 'configured',
      id: existing?.id ?? null,
      before: existing?.manifest ?? null,
      after: policy.manifest,
    });
    if (!unchanged) writes.push({ policy, existing });
  }
  const creates = results.filter((result) => result.action === 'created').length;
  const [usage] = await tx.select({ n: count() }).from(policies);
  assertWithinLimit(limits, 'policies', usage!.n, usage!.n + creates);
  if (writes.length > 0) await assertRulesPerEndpoint(tx, clusterId, limits, writes.map((write) => write.policy));
  if (dryRun || writes.length === 0) return results;

  for (const { policy, existing } of writes) {
    const { resource: _resource, ...columns } = policy;
    const result = results.find((entry) => entry.kind === policy.kind && entry.namespace === (policy.namespace || null) && entry.name === policy.name)!;
    if (existing) {
      const [after] = await tx
        .update(policies)
        .set({ apiVersion: policy.apiVersion, manifest: policy.manifest, ruleCount: policy.ruleCount, version: sql`${policies.version} + 1`, updatedAt: new Date() })
        .where(eq(policies.id, existing.id))
        .returning();
      await recordAudit(tx, caller, { action: 'update', resourceType: 'policy', resourceId: existing.id, before: presentPolicy(existing), after: presentPolicy(after!) });
    } else {
      const [created] = await tx.insert(policies).values({ id: newId(), tenantId: caller.tenantId, clusterId, ...columns }).returning();
      await recordAudit(tx, caller, { action: 'create', resourceType: 'policy', resourceId: created!.id, after: presentPolicy(created!) });
      result.id = created!.id;
    }
  }
  await announcePolicyChange(tx, caller.tenantId, clusterId);
  return results;
}
