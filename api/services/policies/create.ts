// Create one policy object in a cluster (POST /v1/clusters/{id}/policies).
import { findCluster } from '../cluster-scope.ts';
import type { TenantContext } from '../context.ts';
import { acceptPolicyDocument } from './accept.ts';
import { type PolicyWritten, writePolicies } from './write.ts';

export async function createPolicy(ctx: TenantContext, input: { clusterId: string; document: unknown }): Promise<PolicyWritten> {
  const { rows, warnings } = await writePolicies(ctx, async (tx) => {
    const object = acceptPolicyDocument(input.document);
    const cluster = await findCluster(tx, input.clusterId);
    return { clusterId: cluster.id, changes: [{ action: 'create', object, pathPrefix: '' }] };
  });
  return { row: rows[0]!, warnings };
}
