// A defaulted NetworkPolicy in the IR. Semantics from the NetworkPolicy API reference
// (k8s.io/api/networking/v1/types.go) as the upstream conformance suite checks them:
// - the policy sits in the default tier at KUBERNETES_POLICY_ORDER; all its rules Allow, so the
//   NetworkPolicies selecting a pod form a union and the tier's default Deny isolates the pod;
// - it governs exactly the directions of policyTypes; rules of another direction are ignored;
// - a rule without `from`/`to` matches every peer, without `ports` every protocol and port;
// - a peer with only podSelector means pods of the policy's own namespace, with only
//   namespaceSelector every pod of the selected namespaces, with both the pods selected in the
//   namespaces selected (AND); ipBlock is an address range, whatever is there.
import { KUBERNETES_POLICY_ORDER, type Peer, type Policy, type PortMatch, type Rule } from '../../ir.ts';
import { namespaceNamed, selectAll } from '../../selector/build.ts';
import { formatCidr, parseCidr } from '../../validation/cidr.ts';
import { labelSelectorToSelector } from '../shared/label-selector-ir.ts';
import type { DefaultedNetworkPolicy, DefaultedPeer, DefaultedPort } from './defaults.ts';

/** Validation accepted it already; this only turns it into the canonical spelling. */
function canonicalCidr(text: string): string {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`invariant: CIDR ${JSON.stringify(text)} passed validation but does not parse`);
  return formatCidr(parsed.cidr);
}

function toPeer(peer: DefaultedPeer, namespace: string): Peer {
  if (peer.ipBlock) {
    return { ipBlock: { cidr: canonicalCidr(peer.ipBlock.cidr), except: (peer.ipBlock.except ?? []).map(canonicalCidr) } };
  }
  return {
    endpoints: {
      namespaceSelector: peer.namespaceSelector ? labelSelectorToSelector(peer.namespaceSelector) : namespaceNamed(namespace),
      podSelector: peer.podSelector ? labelSelectorToSelector(peer.podSelector) : selectAll(),
    },
  };
}

function toPortMatch(port: DefaultedPort): PortMatch {
  if (typeof port.port === 'string') return { protocol: port.protocol, name: port.port };
  const match: PortMatch = { protocol: port.protocol };
  if (port.port !== undefined) match.port = port.port;
  if (port.endPort !== undefined) match.endPort = port.endPort;
  return match;
}

function toRule(ports: DefaultedPort[] | undefined, peers: DefaultedPeer[] | undefined, namespace: string): Rule {
  return {
    action: 'Allow',
    ports: (ports ?? []).map(toPortMatch),
    peers: (peers ?? []).map((peer) => toPeer(peer, namespace)),
  };
}

export function networkPolicyId(namespace: string, name: string): string {
  return `NetworkPolicy/${namespace}/${name}`;
}

export function normaliseNetworkPolicy(policy: DefaultedNetworkPolicy): Policy {
  const { name, namespace } = policy.metadata;
  const { spec } = policy;
  const governsIngress = spec.policyTypes.includes('Ingress');
  const governsEgress = spec.policyTypes.includes('Egress');
  return {
    id: networkPolicyId(namespace, name),
    kind: 'NetworkPolicy',
    namespace,
    name,
    order: KUBERNETES_POLICY_ORDER,
    staged: false,
    subject: { namespaceSelector: namespaceNamed(namespace), podSelector: labelSelectorToSelector(spec.podSelector) },
    // Fixed order, so the IR does not depend on how policyTypes was spelled.
    directions: [...(governsIngress ? (['ingress'] as const) : []), ...(governsEgress ? (['egress'] as const) : [])],
    ingress: governsIngress ? (spec.ingress ?? []).map((rule) => toRule(rule.ports, rule.from, namespace)) : [],
    egress: governsEgress ? (spec.egress ?? []).map((rule) => toRule(rule.ports, rule.to, namespace)) : [],
  };
}
