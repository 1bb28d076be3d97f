// Text that Postgres stores exactly as written, and values shallow enough to walk. Postgres refuses
// U+0000 in text and jsonb (an error at write time, so a 500 if it gets that far), and a lone UTF-16
// surrogate has no UTF-8 encoding, so the driver silently writes U+FFFD and what is read back differs
// from what was accepted. Both are refused at the edge, with the path of the field. Nesting is bounded
// because every step after validation (null dropping, zod, canonical JSON, the bundle) walks values
// recursively, and a hostile depth would exhaust the stack there instead of reading as a 4xx here.
// Pure and independent of any kind, so the API can check its own fields the same way.
import { forbidden, invalidValueOmitted } from './field-errors.ts';

export type ValuePath = (string | number)[];

/** Shaped like a policy issue (../kinds/issues.ts): where in the value, and why. */
export interface ValueIssue {
  path: ValuePath;
  message: string;
}

/**
 * Most objects and arrays a submitted value may nest inside each other, counted as Go's encoding/json
 * counts (the root object is level 1). The deepest field any kind defines is a 10th level
 * (spec.ingress[0].from[0].podSelector.matchExpressions[0].values), and `kubectl get -o yaml` output
 * carries managedFields a few levels deeper still; 64 leaves room for those and keeps every recursive
 * walk far from the stack's limit.
 */
export const MAX_NESTING_DEPTH = 64;

/** NUL or any surrogate: one scan that clears almost every string, before the precise checks. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is this pattern's purpose
const SUSPECT = /[\u0000\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const UNSTORABLE_TEXT_REASONS = {
  nul: 'must not contain the NUL character (U+0000)',
  loneSurrogate: 'must not contain an unpaired UTF-16 surrogate (it has no UTF-8 encoding)',
} as const;

/** Why `text` cannot be stored as written, or undefined when it can. */
export function unstorableTextReason(text: string): string | undefined {
  if (!SUSPECT.test(text)) return undefined;
  if (text.includes('\u0000')) return UNSTORABLE_TEXT_REASONS.nul;
  if (LONE_SURROGATE.test(text)) return UNSTORABLE_TEXT_REASONS.loneSurrogate;
  return undefined;
}

/**
 * The first problem in document order: a string value or an object key that cannot be stored (the
 * path then ends with that key), or an object or array at level `maxDepth + 1` (the path is its own).
 * Iterative, so it never overflows the stack itself, and it stops at the bound, so a cyclic or
 * 10,000-deep value costs no more than a legitimate one.
 */
export function findUnstorableValue(value: unknown, maxDepth: number = MAX_NESTING_DEPTH): ValueIssue | undefined {
  const pending: Visit[] = [{ value, depth: 0 }];
  for (let visit = pending.pop(); visit !== undefined; visit = pending.pop()) {
    const { value: current, depth } = visit;
    if (typeof current === 'string') {
      const reason = unstorableTextReason(current);
      if (reason) return { path: pathOf(visit), message: invalidValueOmitted(reason) };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= maxDepth) return { path: pathOf(visit), message: forbidden(`must not nest more than ${maxDepth} levels deep`) };
    // Last child first onto the stack, so the first child is looked at next: document order. Indexed
    // loops, no entry pairs: an inventory of 1,000 pods is ~20,000 values, walked on every load.
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) pending.push({ value: current[i], depth: depth + 1, parent: visit, key: i });
    } else {
      const keys = Object.keys(current);
      // every field name of an object is judged before any of its values, as the first problem in document order is
      for (let i = 0; i < keys.length; i++) {
        const reason = unstorableTextReason(keys[i]!);
        if (reason)
          return { path: pathOf({ value: undefined, depth: depth + 1, parent: visit, key: keys[i]! }), message: invalidValueOmitted(`field name ${reason}`) };
      }
      const record = current as Record<string, unknown>;
      for (let i = keys.length - 1; i >= 0; i--) pending.push({ value: record[keys[i]!], depth: depth + 1, parent: visit, key: keys[i]! });
    }
  }
  return undefined;
}

/** A value to look at, linked to its parent so a path is built only for the one reported. */
interface Visit {
  value: unknown;
  depth: number;
  parent?: Visit;
  key?: string | number;
}

function pathOf(visit: Visit): ValuePath {
  const path: ValuePath = [];
  for (let at: Visit | undefined = visit; at?.parent !== undefined; at = at.parent) path.push(at.key as string | number);
  return path.reverse();
}
