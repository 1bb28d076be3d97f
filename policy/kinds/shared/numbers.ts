// Integers within bounds, reported as the API server reports them ("Invalid value: 1001: must be
// between 0 and 1000, inclusive") rather than in zod's wording.
import { z } from 'zod';
import { invalidValue } from '../../validation/field-errors.ts';
import { addIssue } from '../issues.ts';

export function intBetween(min: number, max: number) {
  return z.int({ error: (issue) => (issue.input === undefined ? undefined : invalidValue(issue.input, 'must be an integer')) }).superRefine((value, ctx) => {
    if (value < min || value > max) addIssue(ctx, [], invalidValue(value, `must be between ${min} and ${max}, inclusive`));
  });
}
