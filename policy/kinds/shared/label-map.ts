// Maps of label keys to values, as in metadata.labels and a selector's matchLabels.
import { z } from 'zod';
import { invalidValue } from '../../validation/field-errors.ts';
import { labelKeyErrors, labelValueErrors } from '../../validation/labels.ts';
import { addIssue, type IssuePath } from '../issues.ts';

export const stringMapSchema = z.record(z.string(), z.string());

/** ValidateLabels; each issue sits at the label's own key, so the path names the offending label. */
export function checkLabels(labels: Record<string, string>, ctx: z.RefinementCtx, path: IssuePath): void {
  for (const [key, value] of Object.entries(labels)) {
    for (const detail of labelKeyErrors(key)) addIssue(ctx, [...path, key], invalidValue(key, detail));
    for (const detail of labelValueErrors(value)) addIssue(ctx, [...path, key], invalidValue(value, detail));
  }
}

/** A copy with keys in sorted order, as Go encodes maps, or undefined when empty (Go's `omitempty`). */
export function sortedMap(map: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!map) return undefined;
  const keys = Object.keys(map).sort();
  if (keys.length === 0) return undefined;
  return Object.fromEntries(keys.map((key) => [key, map[key] as string]));
}
