// The endpoint inventory a cluster's agent last reported (PUT /v1/agent/inventory), read back for
// people: the console's Explain page chooses pods from it. Tenant-scoped like every cluster read.
import { eq } from 'drizzle-orm';
import { clusterInventories } from '../../db/schema/index.ts';
import { inventorySchema } from '../../policy/inventory.ts';
import { ApiError } from '../errors/api-error.ts';
import { type ClusterInventory, presentClusterInventory } from '../schemas/cluster-inventory.ts';
import { findCluster } from './cluster-scope.ts';
import { inTenant, type TenantContext } from './context.ts';

/** Every role may read it: viewer and up. */
export async function getClusterInventory(ctx: TenantContext, input: { clusterId: string }): Promise<ClusterInventory> {
  const { clusterId } = input;
  const stored = await inTenant(ctx, async (tx) => {
    const cluster = await findCluster(tx, clusterId);
    const [row] = await tx.select().from(clusterInventories).where(eq(clusterInventories.clusterId, cluster.id));
    return row;
  });
  if (!stored) {
    throw new ApiError(
      'NO_INVENTORY',
      `no endpoint inventory has been reported for cluster ${clusterId} yet: the cluster's agent sends it after it reads its pods ` +
        `and applies a bundle. Install or upgrade the palisade agent on the cluster's nodes and check that it is connected ` +
        `(GET /v1/clusters/${clusterId}/agents).`,
    );
  }
  // Validated when it was stored; parsing again gives the typed model (and survives older rows).
  return presentClusterInventory({
    clusterId: stored.clusterId,
    inventory: inventorySchema.parse(stored.inventory),
    hash: stored.hash,
    reportedBy: stored.reportedBy,
    reportedAt: stored.reportedAt,
  });
}
