import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { type NetworkSetSpec, storedNetworkSetSpec } from '../calico/network-set.ts';
import { type StoredObjectMeta, toStoredObjectMeta } from '../shared/object-meta.ts';
import { NETWORK_SET_KIND, type NetworkSetInput } from './schema.ts';

export interface DefaultedNetworkSet {
  apiVersion: typeof CALICO_API_VERSION;
  kind: typeof NETWORK_SET_KIND;
  metadata: StoredObjectMeta;
  spec: NetworkSetSpec;
}

/** No defaults; the GET form drops empty fields. */
export function applyNetworkSetDefaults(set: NetworkSetInput): DefaultedNetworkSet {
  return { apiVersion: CALICO_API_VERSION, kind: NETWORK_SET_KIND, metadata: toStoredObjectMeta(set.metadata), spec: storedNetworkSetSpec(set.spec) };
}
