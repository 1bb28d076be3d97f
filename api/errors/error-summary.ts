// What of an unexpected error may be written to the logs. A whole error object carries whatever its
// author put in it: a database error wrapped by drizzle holds the query and every parameter (one
// failed request wrote a 260 MB line, with manifests and key hashes in it). The summary keeps what
// identifies the bug (the error's class, the database's SQLSTATE, a bounded message, where it was
// thrown) and nothing the request sent.

/** Long enough for any database or runtime message; short enough that a log line stays a line. */
export const MAX_LOGGED_MESSAGE_CHARS = 500;
/** Frames enough to find the throwing call in our code, without the message the stack begins with. */
const MAX_LOGGED_FRAMES = 10;

export interface ErrorSummary {
  name: string;
  message: string;
  /** Postgres's SQLSTATE (e.g. 22021 for a NUL byte), when the database raised it. */
  sqlState?: string;
  frames: string[];
}

export function summariseError(error: unknown): ErrorSummary {
  if (!(error instanceof Error)) return { name: typeof error, message: '(not an Error)', frames: [] };
  // drizzle's DrizzleQueryError puts the query and its parameters in its message; the database's own
  // error is its cause. Any other wrapper with a cause is unwrapped the same way.
  const origin = innermostCause(error);
  const sqlState = (origin as { code?: unknown }).code;
  return {
    name: origin.name,
    message: bounded(origin.message),
    ...(typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState) && { sqlState }),
    frames: framesOf(error),
  };
}

function innermostCause(error: Error): Error {
  let current = error;
  // Bounded: a cause chain could be cyclic.
  for (let step = 0; step < 8 && current.cause instanceof Error; step++) current = current.cause;
  return current;
}

function bounded(text: string): string {
  return text.length > MAX_LOGGED_MESSAGE_CHARS ? `${text.slice(0, MAX_LOGGED_MESSAGE_CHARS)}… (${text.length} chars)` : text;
}

/** The stack's `at …` lines only: its first lines repeat the message, parameters and all. */
function framesOf(error: Error): string[] {
  return (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, MAX_LOGGED_FRAMES)
    .map((line) => bounded(line.trim()));
}
