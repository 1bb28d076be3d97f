// The API server's defaulting of a NetworkPolicy (k8s.io/kubernetes pkg/apis/networking/v1/defaults.go)
// and the form GET returns. Applying the GET form again yields the same GET form: defaults are already
// there, and empty optional fields are left out as Go's `omitempty` leaves them out.
import { type LabelSelector, toStoredLabelSelector } from '../shared/label-selector.ts';
import { type StoredObjectMeta, toStoredObjectMeta } from '../shared/object-meta.ts';
import {
  type IPBlock,
  NETWORK_POLICY_API_VERSION,
  NETWORK_POLICY_KIND,
  type NetworkPolicyEgressRule,
  type NetworkPolicyIngressRule,
  type NetworkPolicyInput,
  type NetworkPolicyPeer,
  type NetworkPolicyPort,
  type PolicyType,
} from './schema.ts';

export type NetworkPolicyProtocol = NonNullable<NetworkPolicyPort['protocol']>;

export interface DefaultedPort {
  protocol: NetworkPolicyProtocol;
  port?: number | string;
  endPort?: number;
}

export interface DefaultedPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

export interface DefaultedIngressRule {
  ports?: DefaultedPort[];
  from?: DefaultedPeer[];
}

export interface DefaultedEgressRule {
  ports?: DefaultedPort[];
  to?: DefaultedPeer[];
}

/** A NetworkPolicy after defaulting, as stored and as GET returns it. */
export interface DefaultedNetworkPolicy {
  apiVersion: typeof NETWORK_POLICY_API_VERSION;
  kind: typeof NETWORK_POLICY_KIND;
  metadata: StoredObjectMeta;
  spec: {
    podSelector: LabelSelector;
    ingress?: DefaultedIngressRule[];
    egress?: DefaultedEgressRule[];
    policyTypes: PolicyType[];
  };
}

/**
 * SetDefaults_NetworkPolicy: with no policyTypes (absent or empty), a policy governs Ingress, and
 * also Egress when it has at least one egress rule. `egress: []` does not count (Go tests len != 0).
 */
export function defaultPolicyTypes(spec: NetworkPolicyInput['spec']): PolicyType[] {
  if (spec.policyTypes && spec.policyTypes.length > 0) return [...spec.policyTypes];
  return spec.egress && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** SetDefaults_NetworkPolicyPort: protocol TCP when not given. */
function defaultPort(port: NetworkPolicyPort): DefaultedPort {
  const defaulted: DefaultedPort = { protocol: port.protocol ?? 'TCP' };
  if (port.port !== undefined) defaulted.port = port.port;
  if (port.endPort !== undefined) defaulted.endPort = port.endPort;
  return defaulted;
}

/** Selectors are pointers in Go: a given `{}` stays (it means "all"), only an absent one is left out. */
function storedPeer(peer: NetworkPolicyPeer): DefaultedPeer {
  const stored: DefaultedPeer = {};
  if (peer.podSelector) stored.podSelector = toStoredLabelSelector(peer.podSelector);
  if (peer.namespaceSelector) stored.namespaceSelector = toStoredLabelSelector(peer.namespaceSelector);
  if (peer.ipBlock) {
    stored.ipBlock =
      peer.ipBlock.except && peer.ipBlock.except.length > 0 ? { cidr: peer.ipBlock.cidr, except: [...peer.ipBlock.except] } : { cidr: peer.ipBlock.cidr };
  }
  return stored;
}

function nonEmpty<T>(items: T[] | undefined): items is T[] {
  return items !== undefined && items.length > 0;
}

function storedIngressRule(rule: NetworkPolicyIngressRule): DefaultedIngressRule {
  const out: DefaultedIngressRule = {};
  if (nonEmpty(rule.ports)) out.ports = rule.ports.map(defaultPort);
  if (nonEmpty(rule.from)) out.from = rule.from.map(storedPeer);
  return out;
}

function storedEgressRule(rule: NetworkPolicyEgressRule): DefaultedEgressRule {
  const out: DefaultedEgressRule = {};
  if (nonEmpty(rule.ports)) out.ports = rule.ports.map(defaultPort);
  if (nonEmpty(rule.to)) out.to = rule.to.map(storedPeer);
  return out;
}

/** Defaults a validated NetworkPolicy and returns the GET form: what was written, fields in Go's order. */
export function applyNetworkPolicyDefaults(policy: NetworkPolicyInput): DefaultedNetworkPolicy {
  const { spec } = policy;
  return {
    apiVersion: NETWORK_POLICY_API_VERSION,
    kind: NETWORK_POLICY_KIND,
    metadata: toStoredObjectMeta(policy.metadata),
    spec: {
      podSelector: toStoredLabelSelector(spec.podSelector ?? {}),
      ...(nonEmpty(spec.ingress) && { ingress: spec.ingress.map(storedIngressRule) }),
      ...(nonEmpty(spec.egress) && { egress: spec.egress.map(storedEgressRule) }),
      policyTypes: defaultPolicyTypes(spec),
    },
  };
}
