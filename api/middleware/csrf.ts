// CSRF protection for the session cookie. A browser sends the cookie by itself, so a request that
// changes something must also prove it came from our own page: the X-CSRF-Token header, equal to the
// token the session was given (read from the sign-in answer or GET /v1/session). SameSite=Strict
// already keeps other sites' requests cookie-less; this is the second lock. API keys are not sent
// by browsers on their own, so requests with one need no token.
import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors/api-error.ts';

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async function checkCsrfToken(c, next) {
    const { session } = c.get('caller');
    if (session && !SAFE_METHODS.has(c.req.method)) {
      const sent = c.req.header(CSRF_HEADER);
      if (sent === undefined || !sameToken(sent, session.csrfToken)) {
        throw new ApiError('CSRF_TOKEN_INVALID', `a ${c.req.method} with the session cookie needs the session's CSRF token in the X-CSRF-Token header`);
      }
    }
    await next();
  };
}
