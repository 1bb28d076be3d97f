// The order an object's fields are printed in: Kubernetes' own at the top (apiVersion, kind,
// metadata, spec) and in metadata (name, namespace, labels, annotations), alphabetical below. The
// API stores manifests as jsonb, which keeps no key order, so without this a stored object and the
// same object from a file would print, and diff, in different orders.
import type { Manifest } from '../api/policies.ts';

const TOP_LEVEL = ['apiVersion', 'kind', 'metadata', 'spec'];
const METADATA = ['name', 'namespace', 'labels', 'annotations'];

function ordered(value: unknown, first: readonly string[] = []): unknown {
  if (Array.isArray(value)) return value.map((item) => ordered(item));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const rank = (key: string) => (first.includes(key) ? first.indexOf(key) : first.length);
  entries.sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, item]) => [key, key === 'metadata' && first === TOP_LEVEL ? ordered(item, METADATA) : ordered(item)]));
}

export const presentManifest = (manifest: Manifest) => ordered(manifest, TOP_LEVEL) as Manifest;
