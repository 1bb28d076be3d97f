// Enumerations with the API server's message for a value outside them ("Unsupported value").
import { z } from 'zod';
import { requiredValue, unsupportedValue } from '../../validation/field-errors.ts';

/** A zod enum: a missing value is "Required value", an unknown one lists the supported ones. */
export function enumOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) => (issue.input === undefined ? requiredValue() : unsupportedValue(issue.input, values)),
  });
}
