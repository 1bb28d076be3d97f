// One end of a Calico rule (an EntityRule) as IR peers, following how Calico itself builds the
// selector of a rule end (libcalico-go updateprocessors/rules.go, getEndpointSelector):
// - the namespace scope is the rule's namespaceSelector, else the policy's own namespace for a
//   NetworkPolicy, else (GlobalNetworkPolicy) no restriction: namespaced and global things alike;
// - a positive selection exists when `selector` or `serviceAccounts` is given, or a namespace scope
//   applies together with `namespaceSelector` or `notSelector` (so a NetworkPolicy's `notSelector`
//   alone still limits the end to its own namespace);
// - selectors match endpoints and network sets (docs "EntityRule");
// - `nets` alone is an address match; with a positive selection, both must hold;
// - `notNets` and `notSelector` exclude; `notSelector` is not namespace-scoped (Calico passes it
//   through unchanged), so it excludes matching things in every namespace;
// - `services` (alone on its end: ./service-match.ts) is the Service's endpoints, in the policy's
//   namespace when it names none (ServiceMatch); as a destination also their ports, as Felix
//   matches a destination service on IP, protocol and port and a source service on IP alone
//   (felix/calc/rule_scanner.go: ServiceIncludePorts for DstService only).

import type { EndpointMatch, Peer, Selector, ServiceAccountMatch } from '../../ir.ts';
import { namespaceNamed, selectAll } from '../../selector/build.ts';
import { calicoSelector } from '../../selector/calico/index.ts';
import type { CalicoEntityRule, CalicoServiceAccountMatch } from './entity-rule.ts';
import { canonicalNet, RULE_NET_SPELLING } from './nets.ts';

function serviceAccountsOf(match: CalicoServiceAccountMatch | undefined): ServiceAccountMatch | undefined {
  if (!match) return undefined;
  const out: ServiceAccountMatch = {};
  if (match.names && match.names.length > 0) out.names = [...new Set(match.names)].sort();
  if (match.selector) out.selector = calicoSelector(match.selector);
  return out.names || out.selector ? out : undefined;
}

function ipBlocks(nets: readonly string[]): Peer[] {
  return nets.map((cidr) => ({ ipBlock: { cidr, except: [] } }));
}

export interface EntityPeers {
  peers: Peer[];
  notPeers: Peer[];
}

function servicePeer(services: NonNullable<CalicoEntityRule['services']>, namespace: string | null, side: 'source' | 'destination'): Peer {
  const serviceNamespace = services.namespace || namespace;
  // Validation requires a name, and a namespace in a global policy (service-match.ts).
  if (!services.name || !serviceNamespace) throw new Error(`invariant: service match ${JSON.stringify(services)} passed validation incomplete`);
  return { service: { namespace: serviceNamespace, name: services.name }, ...(side === 'destination' && { endpointPorts: true as const }) };
}

/** `namespace` is the policy's namespace, null for a GlobalNetworkPolicy; `side` is the end `entity` describes. */
export function entityPeers(entity: CalicoEntityRule | undefined, namespace: string | null, side: 'source' | 'destination'): EntityPeers {
  if (!entity) return { peers: [], notPeers: [] };
  if (entity.services) return { peers: [servicePeer(entity.services, namespace, side)], notPeers: [] };
  const nets = (entity.nets ?? []).map((net) => canonicalNet(net, RULE_NET_SPELLING));
  const notNets = (entity.notNets ?? []).map((net) => canonicalNet(net, RULE_NET_SPELLING));
  // "" is Go's zero value: the same as not set.
  const selector: Selector | null = entity.selector ? calicoSelector(entity.selector) : null;
  const namespaceScope: Selector | null = entity.namespaceSelector
    ? calicoSelector(entity.namespaceSelector, 'ruleNamespace')
    : namespace !== null
      ? namespaceNamed(namespace)
      : null;
  const serviceAccounts = serviceAccountsOf(entity.serviceAccounts);
  const positive =
    selector !== null || serviceAccounts !== undefined || (namespaceScope !== null && (Boolean(entity.notSelector) || Boolean(entity.namespaceSelector)));

  let peers: Peer[] = [];
  if (positive) {
    const endpoints: EndpointMatch = { namespaceSelector: namespaceScope ?? selectAll(), podSelector: selector ?? selectAll() };
    if (serviceAccounts) endpoints.serviceAccounts = serviceAccounts;
    peers = [{ endpoints, networkSets: true, ...(nets.length > 0 && { nets }) }];
  } else if (nets.length > 0) {
    peers = ipBlocks(nets);
  }

  const notPeers = ipBlocks(notNets);
  if (entity.notSelector) {
    notPeers.push({ endpoints: { namespaceSelector: selectAll(), podSelector: calicoSelector(entity.notSelector) }, networkSets: true });
  }
  return { peers, notPeers };
}
