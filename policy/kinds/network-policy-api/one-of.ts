// The network-policy-api types mark several structs "exactly one field must be set"
// (kubebuilder MinProperties=1, MaxProperties=1): a subject, a peer, a port. An implementation that
// sees none of the fields it knows must assume a newer field and fail closed; refusing on write does.
import type { z } from 'zod';
import { forbidden, requiredValue } from '../../validation/field-errors.ts';
import { addIssue } from '../issues.ts';

export function checkExactlyOne(value: Record<string, unknown>, fields: readonly string[], ctx: z.RefinementCtx): void {
  const given = fields.filter((field) => value[field] !== undefined);
  if (given.length === 0) addIssue(ctx, [], requiredValue(`must specify exactly one of: ${fields.map((f) => `\`${f}\``).join(', ')}`));
  for (const field of given.slice(1)) addIssue(ctx, [field], forbidden(`may not be specified together with \`${given[0]}\``));
}
