// The session cookie: HttpOnly (scripts never see it), SameSite=Strict (no other site's page can send
// it), Secure when the request came over https (directly or, behind a proxy, X-Forwarded-Proto).
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'palisade_session';

function overHttps(c: Context): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return forwarded === 'https';
}

/** The cookie lives until the session's absolute end; the server enforces the idle expiry before it. */
export function setSessionCookie(c: Context, token: string, endsAt: Date, now: Date): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure: overHttps(c),
    maxAge: Math.max(0, Math.floor((endsAt.getTime() - now.getTime()) / 1000)),
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, sameSite: 'Strict', path: '/', secure: overHttps(c) });
}

export const sessionTokenOf = (c: Context): string | undefined => getCookie(c, SESSION_COOKIE);
