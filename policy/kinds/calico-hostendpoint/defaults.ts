import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { type StoredClusterObjectMeta, toStoredClusterObjectMeta } from '../shared/object-meta.ts';
import { HOST_ENDPOINT_KIND, type HostEndpointInput } from './schema.ts';

export interface StoredHostEndpointSpec {
  node: string;
  interfaceName?: string;
  expectedIPs?: string[];
}

export interface DefaultedHostEndpoint {
  apiVersion: typeof CALICO_API_VERSION;
  kind: typeof HOST_ENDPOINT_KIND;
  metadata: StoredClusterObjectMeta;
  spec: StoredHostEndpointSpec;
}

/** No defaults; the GET form drops empty fields (the schema refused non-empty profiles and ports). */
export function applyHostEndpointDefaults(endpoint: HostEndpointInput): DefaultedHostEndpoint {
  const { node, interfaceName, expectedIPs } = endpoint.spec;
  return {
    apiVersion: CALICO_API_VERSION,
    kind: HOST_ENDPOINT_KIND,
    metadata: toStoredClusterObjectMeta(endpoint.metadata),
    spec: {
      node: node!,
      ...(interfaceName && { interfaceName }),
      ...(expectedIPs && expectedIPs.length > 0 && { expectedIPs: [...expectedIPs] }),
    },
  };
}
