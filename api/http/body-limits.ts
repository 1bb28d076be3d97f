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

/** Refuses a body over `maxBytes` with 413; `what` names the bodies in the answer. */
export function limitBodies(maxBytes: number, what: string): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError('PAYLOAD_TOO_LARGE', `${what} are limited to ${maxBytes} bytes`);
    },
  });
}
