// Kubernetes objects arrive as JSON or YAML decoded by Go's encoding/json, where `null` for a field is
// the same as leaving it out (a nil pointer, slice or map). YAML makes this common: `ingress:` with
// nothing after it is null. Dropping null-valued fields before validation gives the same meaning here.

/** A copy of `value` without object fields whose value is null, at every depth. Array elements are kept. */
export function dropNullFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNullFields);
  if (value === null || typeof value !== 'object') return value;
  // fromEntries defines own properties, so a "__proto__" key stays a (rejected) field, not a prototype.
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => field !== null)
      .map(([key, field]) => [key, dropNullFields(field)]),
  );
}
