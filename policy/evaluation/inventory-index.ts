// The inventory prepared for selector evaluation: namespace labels by name, and every endpoint with
// its addresses parsed once, since each rule's peers are matched against all of them.
import { NAMESPACE_NAME_LABEL, type EndpointMatch } from '../ir.ts';
import { matches, type Labels } from '../selector/match.ts';
import type { ParsedCidr } from '../validation/cidr.ts';
import { endpointKey, type Endpoint, type EndpointKey, type Inventory } from '../inventory.ts';
import { parseAddress } from './cidr-set.ts';

export interface IndexedEndpoint {
  key: EndpointKey;
  endpoint: Endpoint;
  namespaceLabels: Labels;
  /** ipv4 then ipv6, as host prefixes. */
  addresses: ParsedCidr[];
}

export interface InventoryIndex {
  endpoints: IndexedEndpoint[];
  byKey: ReadonlyMap<EndpointKey, IndexedEndpoint>;
}

export function indexInventory(inventory: Inventory): InventoryIndex {
  const namespaceLabels = new Map(inventory.namespaces.map((ns) => [ns.name, ns.labels]));
  const endpoints = inventory.endpoints.map((endpoint): IndexedEndpoint => {
    const addresses = [...endpoint.ipv4, ...endpoint.ipv6].map((ip) => {
      const parsed = parseAddress(ip);
      if (!parsed) throw new Error(`endpoint ${endpointKey(endpoint)}: invalid address ${JSON.stringify(ip)}`);
      return parsed;
    });
    return {
      key: endpointKey(endpoint),
      endpoint,
      // A pod whose namespace the inventory has not seen yet (watch events can arrive in any order)
      // still carries the one namespace label the API server guarantees.
      namespaceLabels: namespaceLabels.get(endpoint.namespace) ?? { [NAMESPACE_NAME_LABEL]: endpoint.namespace },
      addresses,
    };
  });
  return { endpoints, byKey: new Map(endpoints.map((e) => [e.key, e])) };
}

/** Both selectors must hold: the namespace's labels, then the pod's own. */
export function endpointMatches(match: EndpointMatch, endpoint: IndexedEndpoint): boolean {
  return matches(match.namespaceSelector, endpoint.namespaceLabels) && matches(match.podSelector, endpoint.endpoint.labels);
}
