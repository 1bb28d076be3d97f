// Console sessions: a member signs in with email and password and gets an opaque cookie token (kept
// only as its SHA-256) and a CSRF token. A session ends after SESSION_IDLE_MS without use, after
// SESSION_MAX_MS whatever the use, at sign-out, or when its member is removed (the rows cascade).
import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { type Db, newId, rowsOf, type Tx, withoutTenant, withTenant } from '../../db/index.ts';
import { type MemberRole, members, sessions, tenants } from '../../db/schema/index.ts';
import { ApiError, notFound } from '../errors/api-error.ts';
import type { SessionView, SignInInput } from '../schemas/session.ts';
import type { ApiCaller, TenantContext } from './context.ts';
import { credentialHash, mintCredential } from './credentials.ts';
import { spendPasswordCheck, verifyPassword } from './passwords.ts';

/** Idle expiry: a working day without a request signs the member out. */
export const SESSION_IDLE_MS = 12 * 3_600_000;
/** Absolute expiry: a week after sign-in the member signs in again, however busy. */
export const SESSION_MAX_MS = 7 * 24 * 3_600_000;
/** The idle expiry is pushed forward at most once a minute, so reads stay cheap. */
const SLIDE_EVERY_MS = 60_000;

/** A new session: the cookie's token (shown to this response only) and what the answer says. */
export interface OpenedSession {
  token: string;
  endsAt: Date;
  view: SessionView;
}

const wrongCredentials = () => new ApiError('UNAUTHORIZED', 'the email or the password is wrong');

/** Opens a session for a member, in the member's tenant transaction. */
export async function openSession(tx: Tx, input: { tenantId: string; memberId: string; now: Date }): Promise<OpenedSession> {
  const credential = mintCredential('pse');
  const csrfToken = randomBytes(24).toString('base64url');
  const endsAt = new Date(input.now.getTime() + SESSION_MAX_MS);
  const expiresAt = new Date(input.now.getTime() + SESSION_IDLE_MS);
  const [session] = await tx
    .insert(sessions)
    .values({ id: newId(), tenantId: input.tenantId, memberId: input.memberId, hash: credential.hash, csrfToken, expiresAt, endsAt })
    .returning();
  return { token: credential.secret, endsAt, view: await viewOf(tx, session!) };
}

async function viewOf(tx: Tx, session: Pick<typeof sessions.$inferSelect, 'tenantId' | 'memberId' | 'csrfToken' | 'expiresAt'>): Promise<SessionView> {
  const [member] = await tx.select().from(members).where(eq(members.id, session.memberId));
  const [tenant] = await tx.select().from(tenants).where(eq(tenants.id, session.tenantId));
  if (!member || !tenant) throw notFound('session');
  return {
    member: { id: member.id, email: member.email, role: member.role },
    tenant: { id: tenant.id, name: tenant.name, plan: tenant.plan },
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt.toISOString(),
  };
}

/**
 * Email and password to a session. Every member row of the email (one per tenant it belongs to) whose
 * password matches is a candidate; a wrong email and a wrong password get the same 401, after the same
 * work. Only a caller who knows the password learns the email is in several tenants (422, tenantId).
 */
export async function signIn(db: Db, input: SignInInput, now: Date): Promise<OpenedSession> {
  const candidates = await withoutTenant(db, async (tx) =>
    rowsOf<{ member_id: string; tenant_id: string; password_hash: string }>(
      await tx.execute(sql`select member_id, tenant_id, password_hash from palisade_sign_in_candidates(${input.email})`),
    ),
  );
  const asked = input.tenantId === undefined ? candidates : candidates.filter((candidate) => candidate.tenant_id === input.tenantId);
  if (asked.length === 0) {
    await spendPasswordCheck(input.password);
    throw wrongCredentials();
  }
  const matching = [];
  for (const candidate of asked) if (await verifyPassword(input.password, candidate.password_hash)) matching.push(candidate);
  if (matching.length === 0) throw wrongCredentials();
  if (matching.length > 1) {
    throw new ApiError('VALIDATION_FAILED', 'tenantId: this email belongs to several tenants; say which', {
      errors: [{ path: 'tenantId', message: `required: the email belongs to ${matching.length} tenants` }],
    });
  }
  const [member] = matching;
  return withTenant(db, member!.tenant_id, (tx) => openSession(tx, { tenantId: member!.tenant_id, memberId: member!.member_id, now }));
}

/**
 * The caller a session cookie stands for, or undefined when it is unknown, expired or its member was
 * removed. Pushes the idle expiry forward when a minute of it has gone.
 */
export async function resolveSession(db: Db, token: string): Promise<ApiCaller | undefined> {
  const [found] = await withoutTenant(db, async (tx) =>
    rowsOf<{
      session_id: string;
      tenant_id: string;
      member_id: string;
      email: string;
      role: MemberRole;
      csrf_token: string;
      expires_at: Date | string;
      ends_at: Date | string;
    }>(
      await tx.execute(
        sql`select session_id, tenant_id, member_id, email, role, csrf_token, expires_at, ends_at from palisade_authenticate_session(${credentialHash(token)})`,
      ),
    ),
  );
  if (!found) return undefined;
  let expiresAt = new Date(found.expires_at);
  const endsAt = new Date(found.ends_at);
  if (expiresAt.getTime() - Date.now() < SESSION_IDLE_MS - SLIDE_EVERY_MS && expiresAt < endsAt) {
    const [slid] = await withTenant(db, found.tenant_id, (tx) =>
      tx
        .update(sessions)
        .set({ expiresAt: sql`least(now() + ${`${SESSION_IDLE_MS} milliseconds`}::interval, ${sessions.endsAt})` })
        .where(eq(sessions.id, found.session_id))
        .returning({ expiresAt: sessions.expiresAt }),
    );
    if (slid) expiresAt = slid.expiresAt;
  }
  return {
    tenantId: found.tenant_id,
    role: found.role,
    actor: found.email,
    session: { id: found.session_id, memberId: found.member_id, email: found.email, csrfToken: found.csrf_token, expiresAt },
  };
}

function requireSession(ctx: TenantContext) {
  if (!ctx.caller.session) throw new ApiError('UNAUTHORIZED', 'this needs a session cookie (sign in); an API key has no session');
  return ctx.caller.session;
}

/** The caller's own session, as sign-in answered it (with its current idle expiry). */
export async function getOwnSession(ctx: TenantContext): Promise<SessionView> {
  const session = requireSession(ctx);
  return withTenant(ctx.db, ctx.caller.tenantId, async (tx) => {
    const [row] = await tx.select().from(sessions).where(eq(sessions.id, session.id));
    if (!row) throw new ApiError('UNAUTHORIZED', 'the session has ended');
    return viewOf(tx, row);
  });
}

/** Sign-out: the row goes, so the token is worthless even if the cookie survives somewhere. */
export async function endOwnSession(ctx: TenantContext): Promise<void> {
  const session = requireSession(ctx);
  await withTenant(ctx.db, ctx.caller.tenantId, (tx) => tx.delete(sessions).where(and(eq(sessions.id, session.id), eq(sessions.memberId, session.memberId))));
}
