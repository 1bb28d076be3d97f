// A Calico selector string in a schema: parsed on write so a malformed one is refused with the
// column and what was expected there, e.g.
//   spec.selector: Invalid value: "app == web": column 8: expected a string after "==", found ...
import { z } from 'zod';
import { parseCalicoSelector, type SelectorScope } from '../../selector/calico/index.ts';
import { invalidValue } from '../../validation/field-errors.ts';
import { maxLengthError } from '../../validation/names.ts';
import { addIssue } from '../issues.ts';

/** Calico's CRDs cap selectors at 1024 characters (api/pkg/apis/projectcalico/v3, policy_common.go). */
export const CALICO_SELECTOR_MAX_LENGTH = 1024;

export function calicoSelectorSchema(scope: SelectorScope) {
  return z.string().superRefine((text, ctx) => {
    if (text.length > CALICO_SELECTOR_MAX_LENGTH) {
      addIssue(ctx, [], invalidValue(text, maxLengthError(CALICO_SELECTOR_MAX_LENGTH)));
      return;
    }
    const result = parseCalicoSelector(text, scope);
    if (!result.ok) addIssue(ctx, [], invalidValue(text, result.message));
  });
}
