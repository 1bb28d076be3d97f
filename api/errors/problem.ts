// Every error to application/problem+json (RFC 9457): ours by code, Hono's by status, anything else
// as a 500 that leaks no internals, logged as a bounded summary.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import type { Logger } from 'pino';
import { ApiError, type ErrorCode, errorStatus } from './api-error.ts';
import { databaseUnavailableError, retryHeadersOf } from './database-unavailable.ts';
import { summariseError } from './error-summary.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemBody(error: ApiError, instance: string) {
  return {
    type: `https://palisade.dev/problems/${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: titleOf(error.code),
    status: error.status,
    code: error.code,
    detail: error.message,
    instance,
    ...error.details,
  };
}

function titleOf(code: ErrorCode): string {
  return code
    .toLowerCase()
    .split('_')
    .map((word, index) => (index === 0 ? word[0]!.toUpperCase() + word.slice(1) : word))
    .join(' ');
}

/** Hono's own errors (malformed JSON, body limit) are mapped by status into our codes. */
function fromHttpException(error: HTTPException): ApiError {
  const byStatus = Object.entries(errorStatus).find(([, status]) => status === error.status);
  const code = (byStatus?.[0] ?? 'BAD_REQUEST') as ErrorCode;
  return new ApiError(code, error.message || titleOf(code));
}

export function toProblemResponse(error: unknown, c: Context, logger: Logger): Response {
  let apiError: ApiError;
  const unavailable = databaseUnavailableError(error);
  if (error instanceof ApiError) apiError = error;
  else if (error instanceof HTTPException) apiError = fromHttpException(error);
  else if (unavailable) {
    logger.warn({ code: unavailable.code, requestId: c.get('requestId'), method: c.req.method, route: routePath(c) }, 'database unavailable; answered 503');
    apiError = unavailable;
  } else {
    // Unknown errors are bugs: logged as a bounded summary (never the error whole, which may carry
    // query parameters, manifests or hashes), answered without internals.
    logger.error(
      { code: 'INTERNAL', requestId: c.get('requestId'), method: c.req.method, route: routePath(c), error: summariseError(error) },
      'unhandled error',
    );
    apiError = new ApiError('INTERNAL', 'internal error; the request id in the logs identifies it');
  }
  return new Response(JSON.stringify(problemBody(apiError, c.req.path)), {
    status: apiError.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...retryHeadersOf(apiError) },
  });
}
