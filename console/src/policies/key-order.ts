// One key order for both sides of a Preview diff. The stored manifest comes back from Postgres jsonb,
// which orders an object's keys by length, while the edited one keeps the order typed: compared as
// they are, every reordered key would show as removed and added. Sorted by name at every depth (which
// also puts apiVersion, kind, metadata, spec first), only real changes remain. Pure.
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}
