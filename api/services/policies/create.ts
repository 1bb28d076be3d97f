// Create one policy object in a cluster (POST /v1/clusters/{id}/policies), or check it without
// writing (dryRun), with the impact on observed flows when asked.
import type { Tx } from '../../../db/index.ts';
import type { Impact } from '../../schemas/impact.ts';
import { findCluster } from '../cluster-scope.ts';
import type { TenantContext } from '../context.ts';
import { type AcceptedPolicy, acceptPolicyDocument } from './accept.ts';
import { type PolicyWritten, writePolicies } from './write.ts';

interface CreateInput {
  clusterId: string;
  document: unknown;
}

async function planCreate(tx: Tx, input: CreateInput) {
  const object = acceptPolicyDocument(input.document);
  const cluster = await findCluster(tx, input.clusterId);
  return { clusterId: cluster.id, object, changes: [{ action: 'create' as const, object, pathPrefix: '' }] };
}

export async function createPolicy(ctx: TenantContext, input: CreateInput): Promise<PolicyWritten> {
  const { rows, warnings } = await writePolicies(ctx, (tx) => planCreate(tx, input), { clusterId: input.clusterId });
  return { row: rows[0]!, warnings };
}

/** Every check a create runs, nothing written; with `impact`, the observed flows it would flip. */
export async function dryRunCreatePolicy(
  ctx: TenantContext,
  input: CreateInput & { impact?: { since: Date } | undefined },
): Promise<{ object: AcceptedPolicy; impact?: Impact }> {
  const { plan, impact } = await writePolicies(ctx, async (tx) => ({
    ...(await planCreate(tx, input)),
    dryRun: true,
    ...(input.impact && { impact: input.impact }),
  }));
  return { object: plan.object, ...(impact && { impact }) };
}
