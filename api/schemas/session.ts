// Sessions on the wire: what signing in takes, and the Session every sign-in, invite acceptance and
// GET /v1/session answers with (who, in which tenant, the CSRF token for unsafe requests, and until when).
import { z } from '@hono/zod-openapi';
import { memberRoles } from '../../db/schema/members.ts';
import { timestamp } from './common.ts';

/** Members choose their password: 12 characters at least (NIST SP 800-63B's floor is 8; we ask more), 200 at most. */
export const passwordSchema = z.string().min(12).max(200).openapi({ description: '12 to 200 characters' });

export const signInSchema = z
  .strictObject({
    email: z.email().max(254),
    password: z.string().min(1).max(200),
    tenantId: z.uuid().optional().openapi({ description: 'Which tenant, when the email belongs to several' }),
  })
  .openapi('SignInInput');
export type SignInInput = z.infer<typeof signInSchema>;

export const sessionSchema = z
  .object({
    member: z.object({ id: z.string(), email: z.string(), role: z.enum(memberRoles) }),
    tenant: z.object({ id: z.string(), name: z.string(), plan: z.string() }),
    csrfToken: z.string().openapi({ description: 'Send as X-CSRF-Token on every POST, PUT, PATCH and DELETE made with the session cookie' }),
    expiresAt: timestamp.openapi({ description: 'When the session ends unless used again (idle expiry)' }),
  })
  .openapi('Session');
export type SessionView = z.infer<typeof sessionSchema>;

export const sessionCookieHeader = {
  'Set-Cookie': { description: 'palisade_session=<opaque>; HttpOnly; SameSite=Strict; Path=/ (Secure over https)', schema: { type: 'string' as const } },
};
