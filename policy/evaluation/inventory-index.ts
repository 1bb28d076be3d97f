// The inventory prepared for selector evaluation: namespace labels by name, and every endpoint with
// its addresses parsed once, since each rule's peers are matched against all of them.
//
// Endpoint selectors are evaluated against a pod's labels plus Calico's automatic labels
// (projectcalico.org/namespace, /orchestrator, /serviceaccount; policy/selector/calico-labels.ts),
// and a namespaced network set's labels plus its namespace, as Calico evaluates them. Every kind
// gets them, as under Calico, where Kubernetes NetworkPolicies are evaluated over the same
// endpoints: a Kubernetes selector naming a projectcalico.org/ key is as unusual as it is there.
// Resolution, explain, the reference evaluator and bandwidth all match through endpointMatches.

import { type Endpoint, type EndpointKey, endpointKey, type Inventory, type PortProtocol, serviceKey } from '../inventory.ts';
import { type EndpointMatch, NAMESPACE_NAME_LABEL, type NetworkSet, type ServiceAccountMatch } from '../ir.ts';
import { calicoEndpointLabels, calicoNetworkSetLabels, calicoServiceAccountLabels } from '../selector/calico-labels.ts';
import { type Labels, matches } from '../selector/match.ts';
import { type ParsedCidr, parseCidr } from '../validation/cidr.ts';
import { parseAddress } from './cidr-set.ts';

export interface IndexedEndpoint {
  key: EndpointKey;
  endpoint: Endpoint;
  namespaceLabels: Labels;
  /** What pod selectors see: the pod's labels with Calico's automatic labels. */
  selectorLabels: Labels;
  /** ipv4 then ipv6, as host prefixes. */
  addresses: ParsedCidr[];
}

/** A network set prepared like an endpoint: rule selectors match it by these labels. */
export interface IndexedNetworkSet {
  id: string;
  /** Its namespace's labels; `{}` for a global network set. */
  namespaceLabels: Labels;
  /** What rule selectors see: the set's labels, plus projectcalico.org/namespace when namespaced. */
  selectorLabels: Labels;
  nets: ParsedCidr[];
}

/** A node with its addresses parsed (rule `nodes` peers). */
export interface IndexedNode {
  name: string;
  labels: Labels;
  addresses: ParsedCidr[];
}

/** One EndpointSlice of a Service: its addresses parsed, each serving every one of its ports. */
export interface IndexedServiceSlice {
  addresses: ParsedCidr[];
  ports: { protocol: PortProtocol; port: number }[];
}

/**
 * A Service: its EndpointSlices, and its front (ClusterIPs with the Service's own ports) in the same
 * shape, since each ClusterIP answers on every Service port as each endpoint of a slice does on the
 * slice's ports.
 */
export interface IndexedService {
  slices: IndexedServiceSlice[];
  front: IndexedServiceSlice;
}

export interface InventoryIndex {
  endpoints: IndexedEndpoint[];
  nodes: IndexedNode[];
  byKey: ReadonlyMap<EndpointKey, IndexedEndpoint>;
  /** Services by `namespace/name` (rule peers naming a Service). */
  services: ReadonlyMap<string, IndexedService>;
}

const parsedAddress = (what: string, ip: string): ParsedCidr => {
  const parsed = parseAddress(ip);
  if (!parsed) throw new Error(`${what}: invalid address ${JSON.stringify(ip)}`);
  return parsed;
};

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
      selectorLabels: calicoEndpointLabels(endpoint.labels, {
        namespace: endpoint.namespace,
        ...(endpoint.serviceAccount && { serviceAccount: endpoint.serviceAccount.name }),
      }),
      addresses,
    };
  });
  const nodes = (inventory.nodes ?? []).map(
    (node): IndexedNode => ({
      name: node.name,
      labels: node.labels,
      addresses: node.addresses.map((ip) => {
        const parsed = parseAddress(ip);
        if (!parsed) throw new Error(`node ${node.name}: invalid address ${JSON.stringify(ip)}`);
        return parsed;
      }),
    }),
  );
  const services = new Map(
    (inventory.services ?? []).map((service): [string, IndexedService] => {
      const what = `service ${serviceKey(service)}`;
      const slice = (addresses: readonly string[], ports: readonly { protocol: PortProtocol; port: number }[]): IndexedServiceSlice => ({
        addresses: addresses.map((ip) => parsedAddress(what, ip)),
        ports: ports.map(({ protocol, port }) => ({ protocol, port })),
      });
      return [serviceKey(service), { slices: service.slices.map((s) => slice(s.addresses, s.ports)), front: slice(service.clusterIPs, service.ports) }];
    }),
  );
  return { endpoints, nodes, byKey: new Map(endpoints.map((e) => [e.key, e])), services };
}

/** Network sets with their namespace's labels (as for pods) and nets parsed. */
export function indexNetworkSets(inventory: Inventory, sets: readonly NetworkSet[]): IndexedNetworkSet[] {
  const namespaceLabels = new Map(inventory.namespaces.map((ns) => [ns.name, ns.labels]));
  return sets.map((set) => ({
    id: set.id,
    namespaceLabels: set.namespace === null ? {} : (namespaceLabels.get(set.namespace) ?? { [NAMESPACE_NAME_LABEL]: set.namespace }),
    selectorLabels: calicoNetworkSetLabels(set.labels, set.namespace),
    nets: set.nets.map((net) => {
      const parsed = parseCidr(net);
      if (!parsed.ok) throw new Error(`network set ${set.id}: invalid net ${JSON.stringify(net)}`);
      return parsed.cidr;
    }),
  }));
}

/**
 * A service account match: `names` lists accepted names, `selector` is evaluated against the
 * account's labels plus Calico's projectcalico.org/name; both given, both hold. Something without a
 * service account (a network set, a pod whose account is unknown) has no name and the labels {}.
 */
function serviceAccountMatches(match: ServiceAccountMatch, account: { name: string; labels: Labels } | undefined): boolean {
  if (match.names && (account === undefined || !match.names.includes(account.name))) return false;
  if (match.selector) {
    const labels = account ? calicoServiceAccountLabels(account.labels, account.name) : {};
    if (!matches(match.selector, labels)) return false;
  }
  return true;
}

/** The selectors must hold: the namespace's labels, the pod's (or network set's) own, and its service account's. */
export function endpointMatches(match: EndpointMatch, endpoint: IndexedEndpoint | IndexedNetworkSet): boolean {
  return (
    matches(match.namespaceSelector, endpoint.namespaceLabels) &&
    matches(match.podSelector, endpoint.selectorLabels) &&
    (match.serviceAccounts === undefined || serviceAccountMatches(match.serviceAccounts, 'endpoint' in endpoint ? endpoint.endpoint.serviceAccount : undefined))
  );
}
