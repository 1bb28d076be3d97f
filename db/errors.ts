/** The string codes along an error's cause chain: drizzle wraps driver errors, so the code may be on a cause. */
function* codesOf(error: unknown): Generator<string> {
  for (let current = error; current instanceof Error || (current && typeof current === 'object'); ) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') yield code;
    current = (current as { cause?: unknown }).cause;
    if (current === undefined) break;
  }
}

/** Postgres SQLSTATE 23505. */
export function isUniqueViolation(error: unknown): boolean {
  for (const code of codesOf(error)) if (code === '23505') return true;
  return false;
}

/**
 * Errors that say the database cannot be reached now, not that the request is wrong: postgres.js's
 * connection codes, the socket's, and SQLSTATE classes 08 (connection exception) and 57P (the server
 * shutting down or starting up). The same request may succeed once the database is back.
 */
const UNAVAILABLE_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  for (const code of codesOf(error)) if (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || code.startsWith('57P')) return true;
  return false;
}
