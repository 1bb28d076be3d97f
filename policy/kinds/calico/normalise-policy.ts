// A Calico NetworkPolicy or GlobalNetworkPolicy (or a staged one) in the IR:
// - placed in its tier at its `order`; no order means last (LAST_ORDER), as Calico applies such
//   policies after every ordered one;
// - subject: `selector` over the endpoints of its own namespace (NetworkPolicy) or of the namespaces
//   its `namespaceSelector` picks (GlobalNetworkPolicy, every namespace without one), and, with a
//   `serviceAccountSelector`, only endpoints whose service account's labels match it;
// - it governs exactly its (defaulted) `types`; rules of another direction are ignored;
// - `doNotTrack` and `preDNAT` policies apply to host endpoints only (docs "Global network policy"),
//   so such a policy governs no pod direction. A doNotTrack policy's `selector` picks host endpoints
//   by their labels and its ingress rules become `untracked` (enforced at XDP by the agent);
//   preDNAT policies are accepted as Calico validates them and enforced nowhere.
import { type Direction, type EndpointMatch, LAST_ORDER, type Policy } from '../../ir.ts';
import { namespaceNamed, selectAll } from '../../selector/build.ts';
import { calicoSelector } from '../../selector/calico/index.ts';
import { normaliseCalicoRule } from './normalise-rule.ts';
import type { StoredCalicoPolicySpec } from './stored.ts';

export interface CalicoPolicyIdentity {
  kind: string;
  id: string;
  namespace: string | null;
  name: string;
  staged: boolean;
  stagedTarget?: string;
}

export interface NormalisableCalicoSpec extends StoredCalicoPolicySpec {
  namespaceSelector?: string;
  doNotTrack?: boolean;
  preDNAT?: boolean;
}

function subjectOf(spec: NormalisableCalicoSpec, namespace: string | null): EndpointMatch {
  const subject: EndpointMatch = {
    namespaceSelector:
      namespace !== null ? namespaceNamed(namespace) : spec.namespaceSelector ? calicoSelector(spec.namespaceSelector, 'namespace') : selectAll(),
    podSelector: spec.selector ? calicoSelector(spec.selector) : selectAll(),
  };
  if (spec.serviceAccountSelector) subject.serviceAccounts = { selector: calicoSelector(spec.serviceAccountSelector) };
  return subject;
}

export function normaliseCalicoPolicy(spec: NormalisableCalicoSpec, identity: CalicoPolicyIdentity): Policy {
  const { namespace } = identity;
  const hostOnly = Boolean(spec.doNotTrack || spec.preDNAT);
  const governs = (direction: Direction) => !hostOnly && spec.types.includes(direction === 'ingress' ? 'Ingress' : 'Egress');
  const policy: Policy = {
    id: identity.id,
    kind: identity.kind,
    namespace,
    name: identity.name,
    order: spec.order ?? LAST_ORDER,
    staged: identity.staged,
    tier: spec.tier,
    subject: subjectOf(spec, namespace),
    // Fixed order, so the IR does not depend on how `types` was spelled.
    directions: (['ingress', 'egress'] as const).filter(governs),
    ingress: governs('ingress') ? (spec.ingress ?? []).map((rule) => normaliseCalicoRule(rule, 'ingress', namespace)) : [],
    egress: governs('egress') ? (spec.egress ?? []).map((rule) => normaliseCalicoRule(rule, 'egress', namespace)) : [],
  };
  if (spec.doNotTrack && !identity.staged) {
    policy.untracked = {
      hostEndpoints: spec.selector ? calicoSelector(spec.selector) : selectAll(),
      ingress: spec.types.includes('Ingress') ? (spec.ingress ?? []).map((rule) => normaliseCalicoRule(rule, 'ingress', namespace)) : [],
    };
  }
  if (identity.stagedTarget !== undefined) policy.stagedTarget = identity.stagedTarget;
  return policy;
}
