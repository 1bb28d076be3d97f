// Zod issues to the field errors problem+json carries: one entry per offending field, with the path
// down to it (an unknown key is reported at its own path, not at its parent's).
import type { z } from 'zod';
import { type ApiError, type FieldError, pathToString, validationFailed } from '../errors/api-error.ts';

export function fieldErrorsOf(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): FieldError[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: pathToString([...path, key]), message: 'unknown field' }));
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch that got furthest: its issues are the most specific.
      const deepest = issue.errors.reduce((best, branch) => (depth(branch) > depth(best) ? branch : best));
      return fieldErrorsOf(deepest, path);
    }
    return [{ path: pathToString(path), message: issue.message }];
  });
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((issue) => issue.path.length));
}

export function validationError(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): ApiError {
  return validationFailed(fieldErrorsOf(issues, prefix));
}
