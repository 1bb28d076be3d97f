// Replace one policy object by id (PUT /v1/policies/{id}): with If-Match, only the version the caller
// read; kind, namespace and name stay, as a Kubernetes object's identity does. With dryRun, checked
// and not written, with the impact on observed flows when asked.
import type { Tx } from '../../../db/index.ts';
import { notFound, validationFailed } from '../../errors/api-error.ts';
import { checkIfMatch } from '../../http/etag.ts';
import { requireId } from '../../http/ids.ts';
import type { Impact } from '../../schemas/impact.ts';
import type { TenantContext } from '../context.ts';
import { type AcceptedPolicy, acceptPolicyDocument } from './accept.ts';
import { lockById, type PolicyRow } from './cluster-objects.ts';
import { type PolicyWritten, writePolicies } from './write.ts';

interface ReplaceInput {
  policyId: string;
  ifMatch: string | undefined;
  document: unknown;
}

async function planReplace(tx: Tx, input: ReplaceInput) {
  const object = acceptPolicyDocument(input.document);
  const before = await lockById(tx, requireId(input.policyId, 'policy'));
  if (!before) throw notFound('policy');
  checkIfMatch(input.ifMatch, before.version);
  assertSameIdentity(before, object);
  return { clusterId: before.clusterId, object, changes: [{ action: 'update' as const, before, object, pathPrefix: '' }] };
}

export async function replacePolicy(ctx: TenantContext, input: ReplaceInput): Promise<PolicyWritten> {
  const { rows, warnings } = await writePolicies(ctx, (tx) => planReplace(tx, input));
  return { row: rows[0]!, warnings };
}

/** Every check a replace runs, nothing written; with `impact`, the observed flows it would flip. */
export async function dryRunReplacePolicy(
  ctx: TenantContext,
  input: ReplaceInput & { impact?: { since: Date } | undefined },
): Promise<{ object: AcceptedPolicy; impact?: Impact }> {
  const { plan, impact } = await writePolicies(ctx, async (tx) => ({
    ...(await planReplace(tx, input)),
    dryRun: true,
    ...(input.impact && { impact: input.impact }),
  }));
  return { object: plan.object, ...(impact && { impact }) };
}

function assertSameIdentity(before: PolicyRow, object: AcceptedPolicy): void {
  const changed = [
    before.apiVersion !== object.apiVersion && { path: 'apiVersion', message: `is immutable (was ${before.apiVersion})` },
    before.kind !== object.kind && { path: 'kind', message: `is immutable (was ${before.kind})` },
    before.namespace !== object.namespace && { path: 'metadata.namespace', message: `is immutable (was ${before.namespace})` },
    before.name !== object.name && { path: 'metadata.name', message: `is immutable (was ${before.name})` },
  ].filter((entry) => entry !== false);
  if (changed.length > 0) throw validationFailed(changed);
}
