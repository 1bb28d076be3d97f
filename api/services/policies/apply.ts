// Apply, as kubectl does it (POST /v1/apply): each object is created or replaced by
// apiVersion/kind/namespace/name in one cluster, all or nothing, one outbox row for the whole change;
// with a prune marker, the cluster's objects carrying that annotation which the request no longer
// holds are deleted in the same transaction; with dryRun, every check runs and nothing is written (and,
// asked, the impact on observed flows).
import { inStartOrder } from '../../../db/index.ts';
import { canonicalJson } from '../../../policy/bundle/canonical-json.ts';
import { type FieldError, validationFailed } from '../../errors/api-error.ts';
import { requireId } from '../../http/ids.ts';
import type { ApplyResult } from '../../schemas/apply.ts';
import type { Impact } from '../../schemas/impact.ts';
import { writtenManifestOf } from '../../schemas/policies.ts';
import { findCluster } from '../cluster-scope.ts';
import type { TenantContext } from '../context.ts';
import { acceptPolicyDocuments } from './accept.ts';
import { identityKey, lockByIdentity, lockMarked, type PruneMarker } from './cluster-objects.ts';
import { type PolicyChange, writePolicies } from './write.ts';

export interface ApplyInput {
  clusterId: string;
  documents: readonly unknown[];
  dryRun: boolean;
  /** With dryRun: evaluate the cluster's flows observed since then against the would-be policy set. */
  impact?: { since: Date } | undefined;
  /** Delete the cluster's objects with this annotation that `documents` do not hold; none without it. */
  prune?: PruneMarker | undefined;
}

// Tiers go last among the pruned: a Tier is deleted only once the policies in it are (write.ts checks
// the state after every change, so this is the order the answer lists them in, for people reading it).
const pruneOrder = (kind: string) => (kind === 'Tier' ? 1 : 0);

export async function applyPolicies(ctx: TenantContext, input: ApplyInput): Promise<{ results: ApplyResult[]; warnings: FieldError[]; impact?: Impact }> {
  const { plan, rows, warnings, impact } = await writePolicies(
    ctx,
    async (tx) => {
      const objects = acceptPolicyDocuments(input.documents);
      // As kubectl refuses to apply nothing: an empty body (a wrong path in CI) would prune every marked object.
      if (input.prune && objects.length === 0)
        throw validationFailed([{ path: '', message: 'must hold at least one object with prune=true: an empty body would delete every marked object' }]);
      // The cluster and every object's stored row are read (and locked, in document order) in one round
      // trip (db/pipeline.ts); another tenant's cluster holds no rows this tenant can see, and is a 404.
      const clusterId = requireId(input.clusterId, 'cluster');
      const [cluster, ...stored] = await inStartOrder(findCluster(tx, clusterId), ...objects.map((object) => lockByIdentity(tx, clusterId, object)));
      const results: ApplyResult[] = [];
      const changes: PolicyChange[] = [];
      /** The result each change reports on, so a created object's id can be filled in once written. */
      const resultOfChange: ApplyResult[] = [];
      for (const [index, object] of objects.entries()) {
        // With several documents, a refusal's field path starts with the document's index; one document's
        // paths read as a single object's would.
        const pathPrefix = objects.length > 1 ? `${index}.` : '';
        const existing = stored[index];
        // Written forms compared: a file that now spells out a default is a change to what was written.
        const before = existing ? writtenManifestOf(existing) : null;
        const unchanged = before !== null && canonicalJson(before) === canonicalJson(object.writtenManifest);
        const result: ApplyResult = {
          kind: object.kind,
          namespace: object.namespace || null,
          name: object.name,
          action: existing === undefined ? 'created' : unchanged ? 'unchanged' : 'configured',
          id: existing?.id ?? null,
          before,
          after: object.writtenManifest,
        };
        results.push(result);
        if (unchanged) continue;
        changes.push(existing ? { action: 'update', before: existing, object, pathPrefix } : { action: 'create', object, pathPrefix });
        resultOfChange.push(result);
      }
      if (input.prune) {
        const kept = new Set(objects.map(identityKey));
        const gone = (await lockMarked(tx, cluster.id, input.prune)).filter((row) => !kept.has(identityKey(row)));
        gone.sort((a, b) => pruneOrder(a.kind) - pruneOrder(b.kind));
        for (const row of gone) {
          const result: ApplyResult = {
            kind: row.kind,
            namespace: row.namespace || null,
            name: row.name,
            action: 'pruned',
            id: row.id,
            before: writtenManifestOf(row),
            after: null,
          };
          results.push(result);
          changes.push({ action: 'delete', before: row });
          resultOfChange.push(result);
        }
      }
      return { clusterId: cluster.id, changes, dryRun: input.dryRun, ...(input.impact && { impact: input.impact }), results, resultOfChange };
    },
    // The checks' reads of the cluster travel with the plan's own; the answer needs only the written ids.
    { clusterId: input.clusterId, answer: 'ids' },
  );
  rows.forEach((row, index) => {
    if (row) plan.resultOfChange[index]!.id = row.id;
  });
  return { results: plan.results, warnings, ...(impact && { impact }) };
}
