// The records of a cluster's signed bundles, oldest first (the bundles themselves go to agents only).
import { bundles } from '../../db/schema/index.ts';
import { type PageRequest, toPage } from '../http/pagination.ts';
import { presentBundle } from '../schemas/bundles.ts';
import { readClusterPage } from './cluster-scope.ts';
import type { TenantContext } from './context.ts';

export async function listBundles(ctx: TenantContext, input: { clusterId: string; page: PageRequest }) {
  const rows = await readClusterPage(ctx, input.clusterId, bundles, input.page);
  return toPage(rows, input.page, presentBundle);
}
