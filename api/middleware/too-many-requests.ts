// The 429 answer every limit gives: problem+json with code RATE_LIMITED and Retry-After, so a client
// (or an agent backing off) knows when to come back.
import type { Context } from 'hono';
import { ApiError } from '../errors/api-error.ts';
import { PROBLEM_CONTENT_TYPE, problemBody } from '../errors/problem.ts';

export function tooManyRequests(c: Context, retryAfterSeconds: number, detail: string): Response {
  return new Response(JSON.stringify(problemBody(new ApiError('RATE_LIMITED', detail), c.req.path)), {
    status: 429,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'retry-after': String(retryAfterSeconds) },
  });
}
