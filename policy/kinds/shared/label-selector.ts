// metav1.LabelSelector, validated as ValidateLabelSelector does (k8s.io/apimachinery
// pkg/apis/meta/v1/validation/validation.go) with AllowInvalidLabelValueInSelector off, the setting
// the API server uses on create.
import { z } from 'zod';
import { forbidden, invalidValue, requiredValue } from '../../validation/field-errors.ts';
import { labelKeyErrors, labelValueErrors } from '../../validation/labels.ts';
import { addIssue } from '../issues.ts';
import { checkLabels, sortedMap, stringMapSchema } from './label-map.ts';

export const LABEL_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

export const labelSelectorRequirementSchema = z
  .strictObject({
    key: z.string(),
    operator: z.enum(LABEL_SELECTOR_OPERATORS, {
      error: (issue) => (issue.input === undefined ? undefined : invalidValue(issue.input, 'not a valid selector operator')),
    }),
    values: z.array(z.string()).optional(),
  })
  .superRefine((requirement, ctx) => {
    const values = requirement.values ?? [];
    if ((requirement.operator === 'In' || requirement.operator === 'NotIn') && values.length === 0) {
      addIssue(ctx, ['values'], requiredValue("must be specified when `operator` is 'In' or 'NotIn'"));
    }
    if ((requirement.operator === 'Exists' || requirement.operator === 'DoesNotExist') && values.length > 0) {
      addIssue(ctx, ['values'], forbidden("may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    }
    for (const detail of labelKeyErrors(requirement.key)) addIssue(ctx, ['key'], invalidValue(requirement.key, detail));
    values.forEach((value, i) => {
      for (const detail of labelValueErrors(value)) addIssue(ctx, ['values', i], invalidValue(value, detail));
    });
  });
export type LabelSelectorRequirement = z.infer<typeof labelSelectorRequirementSchema>;

/** matchLabels AND matchExpressions; `{}` selects everything. */
export const labelSelectorSchema = z
  .strictObject({
    matchLabels: stringMapSchema.optional(),
    matchExpressions: z.array(labelSelectorRequirementSchema).optional(),
  })
  .superRefine((selector, ctx) => {
    if (selector.matchLabels) checkLabels(selector.matchLabels, ctx, ['matchLabels']);
  });
export type LabelSelector = z.infer<typeof labelSelectorSchema>;

/** GET form: empty lists and maps left out (Go's `omitempty`), matchLabels keys sorted, order of expressions kept. */
export function toStoredLabelSelector(selector: LabelSelector): LabelSelector {
  const stored: LabelSelector = {};
  const matchLabels = sortedMap(selector.matchLabels);
  if (matchLabels) stored.matchLabels = matchLabels;
  if (selector.matchExpressions && selector.matchExpressions.length > 0) {
    stored.matchExpressions = selector.matchExpressions.map(({ key, operator, values }) =>
      values && values.length > 0 ? { key, operator, values: [...values] } : { key, operator },
    );
  }
  return stored;
}
