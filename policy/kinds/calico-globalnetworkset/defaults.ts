import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { type NetworkSetSpec, storedNetworkSetSpec } from '../calico/network-set.ts';
import { type StoredClusterObjectMeta, toStoredClusterObjectMeta } from '../shared/object-meta.ts';
import { GLOBAL_NETWORK_SET_KIND, type GlobalNetworkSetInput } from './schema.ts';

export interface DefaultedGlobalNetworkSet {
  apiVersion: typeof CALICO_API_VERSION;
  kind: typeof GLOBAL_NETWORK_SET_KIND;
  metadata: StoredClusterObjectMeta;
  spec: NetworkSetSpec;
}

/** No defaults; the GET form drops empty fields. */
export function applyGlobalNetworkSetDefaults(set: GlobalNetworkSetInput): DefaultedGlobalNetworkSet {
  return {
    apiVersion: CALICO_API_VERSION,
    kind: GLOBAL_NETWORK_SET_KIND,
    metadata: toStoredClusterObjectMeta(set.metadata),
    spec: storedNetworkSetSpec(set.spec),
  };
}
