// Apply, as kubectl does it (POST /v1/apply): each object is created or replaced by
// apiVersion/kind/namespace/name in one cluster, all or nothing, one outbox row for the whole change;
// with dryRun, every check runs and nothing is written.
import { canonicalJson } from '../../../policy/bundle/canonical-json.ts';
import type { FieldError } from '../../errors/api-error.ts';
import type { ApplyResult } from '../../schemas/apply.ts';
import { findCluster } from '../cluster-scope.ts';
import type { TenantContext } from '../context.ts';
import { acceptPolicyDocuments } from './accept.ts';
import { lockByIdentity } from './cluster-objects.ts';
import { type PolicyChange, writePolicies } from './write.ts';

export async function applyPolicies(
  ctx: TenantContext,
  input: { clusterId: string; documents: readonly unknown[]; dryRun: boolean },
): Promise<{ results: ApplyResult[]; warnings: FieldError[] }> {
  const { plan, rows, warnings } = await writePolicies(ctx, async (tx) => {
    const objects = acceptPolicyDocuments(input.documents);
    const cluster = await findCluster(tx, input.clusterId);
    const results: ApplyResult[] = [];
    const changes: PolicyChange[] = [];
    /** The result each change reports on, so a created object's id can be filled in once written. */
    const resultOfChange: ApplyResult[] = [];
    for (const [index, object] of objects.entries()) {
      // With several documents, a refusal's field path starts with the document's index; one document's
      // paths read as a single object's would.
      const pathPrefix = objects.length > 1 ? `${index}.` : '';
      const existing = await lockByIdentity(tx, cluster.id, object);
      const unchanged = existing !== undefined && canonicalJson(existing.manifest) === canonicalJson(object.manifest);
      const result: ApplyResult = {
        kind: object.kind,
        namespace: object.namespace || null,
        name: object.name,
        action: existing === undefined ? 'created' : unchanged ? 'unchanged' : 'configured',
        id: existing?.id ?? null,
        before: existing?.manifest ?? null,
        after: object.manifest,
      };
      results.push(result);
      if (unchanged) continue;
      changes.push(existing ? { action: 'update', before: existing, object, pathPrefix } : { action: 'create', object, pathPrefix });
      resultOfChange.push(result);
    }
    return { clusterId: cluster.id, changes, dryRun: input.dryRun, results, resultOfChange };
  });
  rows.forEach((row, index) => {
    if (row) plan.resultOfChange[index]!.id = row.id;
  });
  return { results: plan.results, warnings };
}
