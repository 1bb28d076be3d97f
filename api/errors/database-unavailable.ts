// A database that cannot be reached (restarting, failing over, refusing connections) is the server's
// passing trouble, not the client's mistake nor a bug: 503 with Retry-After, so clients and agents
// retry the same request instead of reporting a 500.
import { isDatabaseUnavailable } from '../../db/index.ts';
import { ApiError } from './api-error.ts';

/** Long enough for a restart's reconnect to be worth trying, short enough to keep agents current. */
const DATABASE_RETRY_AFTER_SECONDS = 2;

/** The 503 for an error that says the database is unreachable; undefined for any other error. */
export function databaseUnavailableError(error: unknown): ApiError | undefined {
  if (!isDatabaseUnavailable(error)) return undefined;
  return new ApiError('DATABASE_UNAVAILABLE', 'the database is unavailable; retry after the delay in Retry-After');
}

/** The headers an error's answer carries beyond its content type. */
export function retryHeadersOf(error: ApiError): Record<string, string> {
  return error.code === 'DATABASE_UNAVAILABLE' ? { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) } : {};
}
