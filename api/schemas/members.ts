// Members and invites on the wire, and their presenters. An invite's token is never listed: it is in
// the creating answer only, beside the console path that accepts it.
import { z } from '@hono/zod-openapi';
import { type invites, memberRoles, type members } from '../../db/schema/index.ts';
import { timestamp } from './common.ts';
import { passwordSchema } from './session.ts';

export const memberSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: z.enum(memberRoles),
    canSignIn: z.boolean().openapi({ description: 'Has a password (members made for automation have none)' }),
    createdAt: timestamp,
  })
  .openapi('Member');
export type MemberRecord = z.infer<typeof memberSchema>;

export function presentMember(row: typeof members.$inferSelect): MemberRecord {
  return { id: row.id, email: row.email, role: row.role, canSignIn: row.passwordHash !== null, createdAt: row.createdAt.toISOString() };
}

export const inviteSchema = z
  .object({ id: z.string(), email: z.string(), role: z.enum(memberRoles), expiresAt: timestamp, createdAt: timestamp })
  .openapi('Invite');
export type InviteRecord = z.infer<typeof inviteSchema>;

export function presentInvite(row: typeof invites.$inferSelect): InviteRecord {
  return { id: row.id, email: row.email, role: row.role, expiresAt: row.expiresAt.toISOString(), createdAt: row.createdAt.toISOString() };
}

export const inviteInput = z.strictObject({ email: z.email().max(254), role: z.enum(memberRoles) }).openapi('InviteInput');
export type InviteInput = z.infer<typeof inviteInput>;

export const newInviteSchema = z
  .object({
    invite: inviteSchema,
    token: z.string().openapi({ description: 'Shown once: whoever holds it can join with the role until it expires' }),
    acceptPath: z.string().openapi({ description: 'The console page that accepts it: /accept-invite#token=<token>' }),
  })
  .openapi('NewInvite');

export const acceptInviteInput = z.strictObject({ token: z.string().min(1).max(200), password: passwordSchema }).openapi('AcceptInviteInput');
export type AcceptInviteInput = z.infer<typeof acceptInviteInput>;
