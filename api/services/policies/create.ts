// Create one policy object in a cluster (POST /v1/clusters/{id}/policies).
import { findCluster } from '../cluster-scope.ts';
import type { TenantContext } from '../context.ts';
import { acceptPolicyDocument } from './accept.ts';
import type { PolicyRow } from './cluster-objects.ts';
import { writePolicies } from './write.ts';

export async function createPolicy(ctx: TenantContext, input: { clusterId: string; document: unknown }): Promise<PolicyRow> {
  const { rows } = await writePolicies(ctx, async (tx) => {
    const object = acceptPolicyDocument(input.document);
    const cluster = await findCluster(tx, input.clusterId);
    return { clusterId: cluster.id, changes: [{ action: 'create', object, pathPrefix: '' }] };
  });
  return rows[0]!;
}
