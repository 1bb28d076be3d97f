// What `--prune` removes: the cluster's policies that carry the CLI's mark (applied by `palisade
// apply`) and are no longer in the files, in the order they can be deleted.

import type { ApiClient } from '../api/client.ts';
import { listPolicies, type Policy } from '../api/policies.ts';
import { inDeletionOrder } from './deletion-order.ts';
import { identityOf, isAppliedByCli, manifestIdentity } from './identity.ts';
import type { SourcedManifest } from './read-manifests.ts';

export async function pruneCandidates(client: ApiClient, clusterId: string, kept: readonly SourcedManifest[]): Promise<Policy[]> {
  const keptIdentities = new Set(kept.map(({ manifest }) => manifestIdentity(manifest)));
  const stored = await listPolicies(client, clusterId);
  const gone = stored.filter((policy) => isAppliedByCli(policy.manifest) && !keptIdentities.has(identityOf(policy)));
  return inDeletionOrder(gone);
}
