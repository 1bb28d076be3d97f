// Label key and value rules (k8s.io/apimachinery pkg/api/validate/content/kube.go, IsLabelKey and
// IsLabelValue). Selectors use the same rules for their keys and for In/NotIn values.
import { dns1123SubdomainErrors, maxLengthError, regexError } from './names.ts';

const LABEL_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = `(${LABEL_NAME})?`;
const labelNamePattern = new RegExp(`^${LABEL_NAME}$`);
const labelValuePattern = new RegExp(`^${LABEL_VALUE}$`);
const LABEL_NAME_MESSAGE = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_NAME_EXAMPLES = ['MyName', 'my.name', '123-abc'];

export const LABEL_NAME_MAX_LENGTH = 63;
export const LABEL_VALUE_MAX_LENGTH = 63;

/** A label key is `[prefix/]name`: at most one '/', the prefix a DNS subdomain, the name up to 63 characters. */
export function labelKeyErrors(key: string): string[] {
  const parts = key.split('/');
  if (parts.length > 2) {
    return [
      `a valid label key ${regexError(LABEL_NAME_MESSAGE, LABEL_NAME, LABEL_NAME_EXAMPLES)} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  const errors: string[] = [];
  const name = parts.length === 2 ? (parts[1] ?? '') : key;
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix.length === 0) errors.push('prefix part must be non-empty');
    else errors.push(...dns1123SubdomainErrors(prefix).map((m) => `prefix part ${m}`));
  }
  if (name.length === 0) errors.push('name part must be non-empty');
  else if (name.length > LABEL_NAME_MAX_LENGTH) errors.push(`name part ${maxLengthError(LABEL_NAME_MAX_LENGTH)}`);
  if (!labelNamePattern.test(name)) {
    errors.push(`name part ${regexError(LABEL_NAME_MESSAGE, LABEL_NAME, LABEL_NAME_EXAMPLES)}`);
  }
  return errors;
}

/** A label value is empty or a label name (same characters, at most 63). */
export function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > LABEL_VALUE_MAX_LENGTH) errors.push(maxLengthError(LABEL_VALUE_MAX_LENGTH));
  if (!labelValuePattern.test(value)) {
    errors.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE,
        ['MyValue', 'my_value', '12345'],
      ),
    );
  }
  return errors;
}
