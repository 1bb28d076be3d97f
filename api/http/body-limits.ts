// Request body limits, per route group. The API-wide limit (config.maxBodyBytes, app.ts) sizes the
// bodies that carry policy documents, agent status and flow logs; small objects (an account, a key,
// a cluster, a plan) take far less, and inventories far more. A body over its limit answers 413
// naming the limit before any of it is parsed.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../errors/api-error.ts';

/**
 * Sign-up, API keys, agent tokens, clusters and the tenant's plan: a few short fields each (names of
 * at most a few hundred bytes), so 16 KiB leaves room for any client's formatting and no room for
 * megabytes of padding around them.
 */
export const SMALL_OBJECT_BODY_BYTES = 16 * 1024;

/**
 * Inventories outgrow ordinary request bodies (a pod is a few hundred bytes; big clusters have tens of
 * thousands), so their path has this limit instead of the API-wide one (app.ts skips it there).
 */
export const INVENTORY_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Methods whose requests have no body: a fetch Request cannot hold one, so the adapters (Node's,
 * Lambda's) give none whatever is sent. Asking for it all the same (hono's bodyLimit does, first)
 * makes the Node adapter build a whole fetch Request with its AbortSignal: 4% of a GET's time.
 */
const BODILESS_METHODS = new Set(['GET', 'HEAD']);

/** Refuses a body over `maxBytes` with 413; `what` names the bodies in the answer. */
export function limitBodies(maxBytes: number, what: string): MiddlewareHandler {
  const tooLarge = () => new ApiError('PAYLOAD_TOO_LARGE', `${what} are limited to ${maxBytes} bytes`);
  // A body without a Content-Length (chunked) is counted as it is read.
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  return function limitBodySize(c, next) {
    if (BODILESS_METHODS.has(c.req.method)) return next();
    // A body framed by its Content-Length cannot outgrow it (the HTTP parser holds it to the length), so
    // the header decides, as hono's bodyLimit decides too, but without asking for the body first: that
    // made the Node adapter build a whole fetch Request with a stream around the body (about a tenth
    // of the API's CPU on a small apply), where reading the text later takes the body as it came.
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(length, 10) > maxBytes) throw tooLarge();
      return next();
    }
    return limit(c, next);
  };
}
