// The tenant's members: listed to anyone in it; removed by an owner or admin (an admin cannot remove
// an owner, and nobody the last owner). Removal ends the member's sessions (they cascade) and revokes
// the API keys minted for them, in the same transaction, so a removed person keeps no way in.
import { and, count, eq, isNull, sql } from 'drizzle-orm';
import { sqlLiteral, tableRows } from '../../db/index.ts';
import { apiKeys, members } from '../../db/schema/index.ts';
import { ApiError, notFound } from '../errors/api-error.ts';
import { requireId } from '../http/ids.ts';
import { type PageRequest, toPage } from '../http/pagination.ts';
import { presentMember } from '../schemas/members.ts';
import { recordAudit } from './audit.ts';
import { inTenant, readAsTenant, type TenantContext } from './context.ts';
import { hasRole, requireRole } from './roles.ts';
import { assertDeletedEarlier } from './tombstones.ts';

// The list and the get are tenant reads (db/tenant-read.ts): one round trip each, their values written as literals.
const memberRows = tableRows(members);

export async function listMembers(ctx: TenantContext, filter: PageRequest) {
  const after = filter.cursor ? sql`where id > ${sqlLiteral(filter.cursor)}` : sql``;
  const raw = await readAsTenant(ctx, sql`select ${memberRows.columns} from members ${after} order by id limit ${sqlLiteral(filter.limit + 1)}`);
  return toPage(memberRows.rows(raw), filter, presentMember);
}

/** One member by id: what `terraform import` of a member reads. */
export async function getMember(ctx: TenantContext, input: { memberId: string }) {
  const id = requireId(input.memberId, 'member');
  const [row] = memberRows.rows(await readAsTenant(ctx, sql`select ${memberRows.columns} from members where id = ${sqlLiteral(id)}`));
  if (!row) throw notFound('member');
  return presentMember(row);
}

export async function removeMember(ctx: TenantContext, input: { memberId: string }): Promise<void> {
  const { caller } = ctx;
  requireRole(caller.role, 'admin');
  const id = requireId(input.memberId, 'member');
  await inTenant(ctx, async (tx) => {
    // Every owner row is locked, so two owners removing each other at once cannot leave none.
    const owners = await tx.select({ id: members.id }).from(members).where(eq(members.role, 'owner')).for('update');
    const [target] = await tx.select().from(members).where(eq(members.id, id)).for('update');
    if (!target) return assertDeletedEarlier(tx, 'member', id, 'member');
    if (!hasRole(caller.role, target.role)) throw new ApiError('FORBIDDEN', `a ${caller.role} cannot remove a ${target.role}`);
    if (target.role === 'owner' && owners.length === 1) throw new ApiError('CONFLICT', 'this is the last owner: make another member owner first');
    const [revoked] = await tx
      .select({ n: count() })
      .from(apiKeys)
      .where(and(eq(apiKeys.memberId, id), isNull(apiKeys.revokedAt)));
    await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.memberId, id), isNull(apiKeys.revokedAt)));
    await tx.delete(members).where(eq(members.id, id));
    await recordAudit(tx, caller, {
      action: 'delete',
      resourceType: 'member',
      resourceId: id,
      before: presentMember(target),
      after: { apiKeysRevoked: revoked!.n },
    });
  });
}
