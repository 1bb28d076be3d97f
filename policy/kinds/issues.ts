// Validation problems as the API layer reports them: a path into the submitted object and a message
// worded like the Kubernetes API server's (../validation/field-errors.ts). Zod is the only validator;
// this file only translates its issues.
import type { z } from 'zod';
import { requiredValue } from '../validation/field-errors.ts';

export type IssuePath = (string | number)[];

export interface PolicyIssue {
  path: IssuePath;
  message: string;
}

/**
 * Per-parse error map: a missing required field reads "Required value" (Kubernetes' field.Required);
 * other type errors keep zod's wording, which already names the expected and received types.
 */
export const kubernetesErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type' && issue.input === undefined) return requiredValue();
  return undefined;
};

/**
 * Flattens zod issues. An unknown field becomes one issue per field whose path ends with the field's
 * name, as Kubernetes' strict field validation reports `unknown field "spec.foo"`.
 */
export function toPolicyIssues(issues: readonly z.core.$ZodIssue[]): PolicyIssue[] {
  return issues.flatMap((issue): PolicyIssue[] => {
    const path = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown field ${JSON.stringify(key)}` }));
    }
    return [{ path, message: issue.message }];
  });
}

/** Adds a Kubernetes-worded issue at a path relative to the value being refined. */
export function addIssue(ctx: z.RefinementCtx, path: IssuePath, message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}
