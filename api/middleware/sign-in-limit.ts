// Sign-in attempts per email, on top of the per-network limit every credential-free route has: one
// address cannot guess a member's password fast, and neither can many addresses taking turns. The
// email is read from the body (Hono keeps the parsed body for the route's validator).
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import type { TokenBuckets } from './token-buckets.ts';
import { tooManyRequests } from './too-many-requests.ts';

export function signInLimitByEmail(buckets: TokenBuckets): MiddlewareHandler<AppEnv> {
  return async function limitSignInsByEmail(c, next) {
    const body: unknown = await c.req.json().catch(() => undefined);
    const email = typeof body === 'object' && body !== null && 'email' in body && typeof body.email === 'string' ? body.email.trim().toLowerCase() : undefined;
    if (email) {
      const verdict = buckets.take(email);
      if (!verdict.allowed) return tooManyRequests(c, verdict.retryAfterSeconds, `too many sign-ins for this email: retry in ${verdict.retryAfterSeconds} s`);
    }
    await next();
  };
}
