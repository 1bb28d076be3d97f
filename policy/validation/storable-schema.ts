// The zod forms of text.ts's checks, for every schema whose values reach Postgres: a string field
// that refuses NUL and lone surrogates, a free JSON value bounded in depth and refusing them anywhere,
// and the column bounds numbers and dates are checked against. Here rather than in api/schemas so the
// shared schemas the agent also uses (flow-log.ts, inventory.ts) apply the same rule.
import { z } from 'zod';
import { findUnstorableValue, unstorableTextReason } from './text.ts';

/** Largest value of a Postgres `integer` (int4) column. */
export const INT4_MAX = 2_147_483_647;

/**
 * Dates a report may carry: both Postgres timestamptz and JS Date hold far more, but a flow bucket
 * outside this window is a broken clock or a hostile agent, and the bounds keep year 0 and the
 * like out of the driver's date formatting.
 */
export const EARLIEST_REPORTED_TIME = '2000-01-01T00:00:00Z';
export const LATEST_REPORTED_TIME = '2100-01-01T00:00:00Z';

/** A string Postgres stores exactly as written; chain length checks after it. */
export function storableText() {
  return z.string().superRefine((text, ctx) => {
    const reason = unstorableTextReason(text);
    if (reason) ctx.addIssue({ code: 'custom', message: reason });
  });
}

/** An RFC 3339 date-time within the reporting window. */
export function reportedTime() {
  return z.iso.datetime().refine((text) => {
    const time = Date.parse(text);
    return time >= Date.parse(EARLIEST_REPORTED_TIME) && time < Date.parse(LATEST_REPORTED_TIME);
  }, `must be between ${EARLIEST_REPORTED_TIME} and ${LATEST_REPORTED_TIME}`);
}

/**
 * For `.superRefine` on a schema holding free JSON (z.unknown, records of it): the value nests no
 * deeper than MAX_NESTING_DEPTH and its text and keys are storable, reported at the offending path.
 */
export function refineStorableValue(value: unknown, ctx: z.RefinementCtx): void {
  const issue = findUnstorableValue(value);
  if (issue) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
}
