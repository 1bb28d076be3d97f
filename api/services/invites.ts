// Invitations: an owner or admin invites an email with a role (an admin cannot invite an owner); the
// token is returned once and kept as SHA-256; it expires after INVITE_TTL_MS and works once. Accepting
// (no credential but the token) creates the member with their password and signs them in.
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { type Db, newId, rowsOf, sqlLiteral, tableRows, withoutTenant, withTenant } from '../../db/index.ts';
import { invites, members } from '../../db/schema/index.ts';
import { ApiError, notFound } from '../errors/api-error.ts';
import { requireId } from '../http/ids.ts';
import { type PageRequest, toPage } from '../http/pagination.ts';
import { type AcceptInviteInput, type InviteInput, presentInvite, presentMember } from '../schemas/members.ts';
import { recordAudit } from './audit.ts';
import { inTenant, readAsTenant, type TenantContext } from './context.ts';
import { credentialHash, mintCredential } from './credentials.ts';
import { hashPassword } from './passwords.ts';
import { hasRole, requireRole } from './roles.ts';
import { type OpenedSession, openSession } from './sessions.ts';
import { assertDeletedEarlier } from './tombstones.ts';

/** A week: long enough to reach someone on leave, short enough that a forgotten link goes stale. */
export const INVITE_TTL_MS = 7 * 24 * 3_600_000;

const pending = (now: Date) => and(isNull(invites.acceptedAt), gt(invites.expiresAt, now));
const sameEmail = (column: typeof members.email | typeof invites.email, email: string) => sql`lower(${column}) = lower(${email})`;

export async function createInvite(ctx: TenantContext, input: InviteInput, now: Date) {
  const { caller } = ctx;
  requireRole(caller.role, 'admin');
  if (!hasRole(caller.role, input.role)) throw new ApiError('FORBIDDEN', `a ${caller.role} cannot invite a ${input.role}`);
  const credential = mintCredential('pin');
  return inTenant(ctx, async (tx) => {
    const [member] = await tx.select({ id: members.id }).from(members).where(sameEmail(members.email, input.email));
    if (member) throw new ApiError('CONFLICT', `${input.email} is already a member`, { errors: [{ path: 'email', message: 'already a member' }] });
    const [row] = await tx
      .insert(invites)
      .values({
        id: newId(),
        tenantId: caller.tenantId,
        email: input.email,
        role: input.role,
        hash: credential.hash,
        invitedBy: caller.actor,
        expiresAt: new Date(now.getTime() + INVITE_TTL_MS),
      })
      .returning();
    const invite = presentInvite(row!);
    await recordAudit(tx, caller, { action: 'create', resourceType: 'invite', resourceId: invite.id, after: invite });
    return { invite, token: credential.secret, acceptPath: `/accept-invite#token=${credential.secret}` };
  });
}

// The list and the get are tenant reads (db/tenant-read.ts): one round trip each, their values
// written as literals; `pending`, with a parameter, stays for the transactions that write.
const inviteRows = tableRows(invites);
const pendingLiterally = (now: Date) => sql`accepted_at is null and expires_at > ${sqlLiteral(now)}`;

/** Invites still waiting to be accepted, oldest first. */
export async function listInvites(ctx: TenantContext, filter: PageRequest, now: Date) {
  const after = filter.cursor ? sql` and id > ${sqlLiteral(filter.cursor)}` : sql``;
  const raw = await readAsTenant(
    ctx,
    sql`select ${inviteRows.columns} from invites where ${pendingLiterally(now)}${after} order by id limit ${sqlLiteral(filter.limit + 1)}`,
  );
  return toPage(inviteRows.rows(raw), filter, presentInvite);
}

/** One pending invite by id; an accepted, expired or withdrawn one is gone, as from the list. */
export async function getInvite(ctx: TenantContext, input: { inviteId: string }, now: Date) {
  const id = requireId(input.inviteId, 'invite');
  const [row] = inviteRows.rows(
    await readAsTenant(ctx, sql`select ${inviteRows.columns} from invites where id = ${sqlLiteral(id)} and ${pendingLiterally(now)}`),
  );
  if (!row) throw notFound('invite');
  return presentInvite(row);
}

export async function revokeInvite(ctx: TenantContext, input: { inviteId: string }): Promise<void> {
  requireRole(ctx.caller.role, 'admin');
  const id = requireId(input.inviteId, 'invite');
  await inTenant(ctx, async (tx) => {
    const [row] = await tx
      .delete(invites)
      .where(and(eq(invites.id, id), isNull(invites.acceptedAt)))
      .returning();
    if (row) await recordAudit(tx, ctx.caller, { action: 'revoke', resourceType: 'invite', resourceId: id, before: presentInvite(row) });
    else await assertDeletedEarlier(tx, 'invite', id, 'invite');
  });
}

const unusable = () =>
  new ApiError('NOT_FOUND', 'the invite is unknown, expired, revoked or already used: ask for a new one', {
    errors: [{ path: 'token', message: 'not a live invite' }],
  });

/** Token and password to a new member and their first session. Single use: the invite is claimed under a row lock. */
export async function acceptInvite(db: Db, input: AcceptInviteInput, now: Date): Promise<OpenedSession> {
  const [found] = await withoutTenant(db, async (tx) =>
    rowsOf<{ invite_id: string; tenant_id: string }>(
      await tx.execute(sql`select invite_id, tenant_id from palisade_find_invite(${credentialHash(input.token)})`),
    ),
  );
  if (!found) throw unusable();
  const passwordHash = await hashPassword(input.password);
  return withTenant(db, found.tenant_id, async (tx) => {
    const [invite] = await tx
      .update(invites)
      .set({ acceptedAt: now })
      .where(and(eq(invites.id, found.invite_id), pending(now)))
      .returning();
    if (!invite) throw unusable();
    const [existing] = await tx.select({ id: members.id }).from(members).where(sameEmail(members.email, invite.email));
    if (existing) throw new ApiError('CONFLICT', `${invite.email} is already a member of this tenant`);
    const [member] = await tx
      .insert(members)
      .values({ id: newId(), tenantId: invite.tenantId, email: invite.email, role: invite.role, passwordHash })
      .returning();
    await recordAudit(
      tx,
      { tenantId: invite.tenantId, actor: invite.email },
      { action: 'create', resourceType: 'member', resourceId: member!.id, after: { ...presentMember(member!), inviteId: invite.id } },
    );
    return openSession(tx, { tenantId: invite.tenantId, memberId: member!.id, now });
  });
}
