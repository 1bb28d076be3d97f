// Messages shaped like the Kubernetes API server's field errors (k8s.io/apimachinery
// pkg/util/validation/field/errors.go, Error.ErrorBody): "<type>[: <value>][: <detail>]".
// The API layer prefixes the field path, so "spec.ingress[0].ports[0].endPort: Invalid value: 79: ..."
// reads exactly as kubectl would print it.

/** Go's %q for strings and %v for numbers are close enough to JSON for the values we report. */
function formatValue(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function withDetail(head: string, detail: string | undefined): string {
  return detail ? `${head}: ${detail}` : head;
}

export function invalidValue(value: unknown, detail: string): string {
  return withDetail(`Invalid value: ${formatValue(value)}`, detail);
}

/**
 * field.Invalid with the value omitted, as Kubernetes does for values not worth echoing: here text
 * that is unprintable or may be megabytes long.
 */
export function invalidValueOmitted(detail: string): string {
  return `Invalid value: ${detail}`;
}

export function requiredValue(detail?: string): string {
  return withDetail('Required value', detail);
}

export function forbidden(detail: string): string {
  return withDetail('Forbidden', detail);
}

export function duplicateValue(value: unknown): string {
  return `Duplicate value: ${formatValue(value)}`;
}

export function unsupportedValue(value: unknown, supported: readonly string[]): string {
  return `Unsupported value: ${formatValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`;
}

export function tooLong(maxBytes: number): string {
  return `Too long: may not be more than ${maxBytes} bytes`;
}

/** field.NotFound: a reference to something that does not exist. */
export function notFound(value: unknown, detail?: string): string {
  return withDetail(`Not found: ${formatValue(value)}`, detail);
}

/** field.TooMany: a list longer than the schema allows. */
export function tooMany(actual: number, max: number): string {
  return `Too many: ${actual}: must have at most ${max} items`;
}
