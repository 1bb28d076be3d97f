// Reading policy objects: a page of a cluster's (filtered by kind, namespace, name), or one by id.
// Both are tenant reads (db/tenant-read.ts): one round trip each, their values written as literals.
import { eq, sql } from 'drizzle-orm';
import { sqlLiteral, tableRows } from '../../../db/index.ts';
import { policies } from '../../../db/schema/index.ts';
import { notFound } from '../../errors/api-error.ts';
import { requireId } from '../../http/ids.ts';
import { type PageRequest, toPage } from '../../http/pagination.ts';
import { presentPolicy } from '../../schemas/policies.ts';
import { readClusterPage } from '../cluster-scope.ts';
import { readAsTenant, type TenantContext } from '../context.ts';
import type { PolicyRow } from './cluster-objects.ts';

export interface PolicyFilter extends PageRequest {
  kind?: string | undefined;
  /** '' matches cluster-scoped objects. */
  namespace?: string | undefined;
  name?: string | undefined;
}

const policyRows = tableRows(policies);

export async function listPolicies(ctx: TenantContext, input: { clusterId: string; filter: PolicyFilter }) {
  const { filter } = input;
  const rows = await readClusterPage(
    ctx,
    input.clusterId,
    policies,
    filter,
    filter.kind ? eq(policies.kind, sqlLiteral(filter.kind)) : undefined,
    filter.namespace !== undefined ? eq(policies.namespace, sqlLiteral(filter.namespace)) : undefined,
    filter.name ? eq(policies.name, sqlLiteral(filter.name)) : undefined,
  );
  return toPage(rows, filter, presentPolicy);
}

export async function getPolicy(ctx: TenantContext, input: { policyId: string }): Promise<PolicyRow> {
  const id = requireId(input.policyId, 'policy');
  const [row] = policyRows.rows(await readAsTenant(ctx, sql`select ${policyRows.columns} from policies where id = ${sqlLiteral(id)}`));
  if (!row) throw notFound('policy');
  return row;
}
