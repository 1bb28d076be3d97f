// Reading policy objects: a page of a cluster's (filtered by kind, namespace, name), or one by id.
import { eq } from 'drizzle-orm';
import { policies } from '../../../db/schema/index.ts';
import { notFound } from '../../errors/api-error.ts';
import { requireId } from '../../http/ids.ts';
import { type PageRequest, toPage } from '../../http/pagination.ts';
import { presentPolicy } from '../../schemas/policies.ts';
import { pageInCluster } from '../cluster-scope.ts';
import { inTenant, type TenantContext } from '../context.ts';
import type { PolicyRow } from './cluster-objects.ts';

export interface PolicyFilter extends PageRequest {
  kind?: string | undefined;
  /** '' matches cluster-scoped objects. */
  namespace?: string | undefined;
  name?: string | undefined;
}

export async function listPolicies(ctx: TenantContext, input: { clusterId: string; filter: PolicyFilter }) {
  const { filter } = input;
  const rows = await inTenant(ctx, (tx) =>
    pageInCluster(
      tx,
      input.clusterId,
      policies,
      filter,
      filter.kind ? eq(policies.kind, filter.kind) : undefined,
      filter.namespace !== undefined ? eq(policies.namespace, filter.namespace) : undefined,
      filter.name ? eq(policies.name, filter.name) : undefined,
    ),
  );
  return toPage(rows, filter, presentPolicy);
}

export async function getPolicy(ctx: TenantContext, input: { policyId: string }): Promise<PolicyRow> {
  const id = requireId(input.policyId, 'policy');
  const [row] = await inTenant(ctx, (tx) => tx.select().from(policies).where(eq(policies.id, id)));
  if (!row) throw notFound('policy');
  return row;
}
