// Which optional IR features a policy set uses. The IR grew optional fields for Calico and the
// Kubernetes admin kinds; a compiler that ignores a field it does not know would enforce a broader or
// narrower rule than written. With this list a compiler can refuse a bundle that uses a feature it
// has not implemented (and keep its last good bundle, reporting why) instead of guessing.
import type { EndpointMatch, Peer, PolicySet, Rule } from './ir.ts';

export const IR_FEATURES = [
  /** Rule.notPorts */
  'notPorts',
  /** Rule.srcPorts, Rule.notSrcPorts */
  'sourcePorts',
  /** Rule.protocolNumber, Rule.notProtocolNumber */
  'protocolNumbers',
  /** Rule.notProtocol */
  'notProtocol',
  /** Rule.icmp, Rule.notICMP */
  'icmp',
  /** Rule.ipVersion */
  'ipVersion',
  /** Rule.notPeers */
  'notPeers',
  /** Rule.localPeers, Rule.notLocalPeers */
  'localPeers',
  /** Rule.nodes */
  'nodePeers',
  /** EndpointMatch.serviceAccounts, in a subject or a peer */
  'serviceAccounts',
  /** Peer.networkSets, PolicySet.networkSets */
  'networkSets',
  /** Peer.nets (an endpoints peer restricted to CIDRs) */
  'peerNets',
  /** Policy.stagedTarget */
  'stagedTargets',
  /**
   * PolicySet.bandwidthPolicies or PolicySet.limits.bandwidthCeiling: token buckets to enforce
   * (policy/bandwidth/resolve.ts). Pod bandwidth annotations are not in the bundle; an agent that
   * lists this feature enforces them too.
   */
  'bandwidth',
  /**
   * Policy.untracked (Calico doNotTrack policies) with PolicySet.hostEndpoints: deny rules enforced
   * on host interfaces before connection tracking (the eBPF dataplane compiles them to XDP).
   */
  'untrackedHostPolicy',
  /**
   * Peer.service: the endpoints of a Kubernetes Service (Calico `services`), resolved against the
   * inventory's `services` (their EndpointSlices' addresses, and ports for `endpointPorts`).
   */
  'servicePeers',
] as const;
export type IrFeature = (typeof IR_FEATURES)[number];

function endpointFeatures(match: EndpointMatch, found: Set<IrFeature>): void {
  if (match.serviceAccounts) found.add('serviceAccounts');
}

// Indexed loops and no list of lists: the agent runs this over every rule of a bundle before its
// first apply, in code not optimised yet, where each for-of step allocates.
function peerFeatures(peers: readonly Peer[] | undefined, found: Set<IrFeature>): void {
  if (!peers) return;
  for (let i = 0; i < peers.length; i++) {
    const peer = peers[i]!;
    if ('service' in peer) found.add('servicePeers');
    if (!('endpoints' in peer)) continue;
    endpointFeatures(peer.endpoints, found);
    if (peer.networkSets) found.add('networkSets');
    if (peer.nets) found.add('peerNets');
  }
}

function ruleFeatures(rule: Rule, found: Set<IrFeature>): void {
  if (rule.notPorts) found.add('notPorts');
  if (rule.srcPorts || rule.notSrcPorts) found.add('sourcePorts');
  if (rule.protocolNumber !== undefined || rule.notProtocolNumber !== undefined) found.add('protocolNumbers');
  if (rule.notProtocol) found.add('notProtocol');
  if (rule.icmp || rule.notICMP) found.add('icmp');
  if (rule.ipVersion !== undefined) found.add('ipVersion');
  if (rule.notPeers) found.add('notPeers');
  if (rule.localPeers || rule.notLocalPeers) found.add('localPeers');
  if (rule.nodes) found.add('nodePeers');
  peerFeatures(rule.peers, found);
  peerFeatures(rule.notPeers, found);
  peerFeatures(rule.localPeers, found);
  peerFeatures(rule.notLocalPeers, found);
}

/** The optional features `set` uses, in IR_FEATURES order. */
export function irFeaturesOf(set: PolicySet): IrFeature[] {
  const found = new Set<IrFeature>();
  if (set.networkSets && set.networkSets.length > 0) found.add('networkSets');
  if ((set.bandwidthPolicies && set.bandwidthPolicies.length > 0) || set.limits?.bandwidthCeiling) found.add('bandwidth');
  for (const tier of set.tiers) {
    for (const policy of tier.policies) {
      if (policy.stagedTarget !== undefined) found.add('stagedTargets');
      endpointFeatures(policy.subject, found);
      for (let i = 0; i < policy.ingress.length; i++) ruleFeatures(policy.ingress[i]!, found);
      for (let i = 0; i < policy.egress.length; i++) ruleFeatures(policy.egress[i]!, found);
      if (policy.untracked) {
        found.add('untrackedHostPolicy');
        for (const rule of policy.untracked.ingress) ruleFeatures(rule, found);
      }
    }
  }
  // Calico marks every selector peer as one that may also match network sets; with no network set
  // in the cluster such a peer matches exactly the pods a plain selector does, so nothing is lost.
  if (!set.networkSets || set.networkSets.length === 0) found.delete('networkSets');
  return IR_FEATURES.filter((feature) => found.has(feature));
}

/** The features `set` uses that a compiler supporting `supported` cannot honour. */
export function unsupportedIrFeatures(set: PolicySet, supported: readonly IrFeature[]): IrFeature[] {
  return irFeaturesOf(set).filter((feature) => !supported.includes(feature));
}
