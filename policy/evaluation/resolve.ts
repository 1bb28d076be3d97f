// The compiler's front half: the bundle's PolicySet resolved against the endpoint inventory into one
// EndpointPolicy per enforced endpoint. Pure: same inputs, same output (and hashes).
//
// Semantics (../../shared/DESIGN.md, "Policy semantics"): a policy applies to an endpoint for a
// direction when its subject selects the endpoint and it governs that direction (policyTypes for a
// NetworkPolicy); a tier takes part only when one of its policies applies; a direction no policy
// applies to is allowed, as Kubernetes leaves pods no NetworkPolicy selects non-isolated.

import type { EndpointKey, Inventory } from '../inventory.ts';
import type { Direction, Policy, PolicySet, Tier } from '../ir.ts';
import type { DirectionPolicy, EndpointPolicy, MatchTerm, ResolvedPolicy, ResolvedTier } from './endpoint-policy.ts';
import { directionPolicyHash, termsDigest } from './hash.ts';
import { endpointMatches, type IndexedEndpoint, indexInventory, indexNetworkSets } from './inventory-index.ts';
import { createRuleResolver, type RuleResolver, ruleVariesByTarget } from './resolve-rule.ts';

export interface ResolveOptions {
  /**
   * Which endpoints to resolve: 'local' (default) those on this node (with a hostInterface), 'all'
   * every endpoint (explain, the reference evaluator), or the listed keys (unknown keys are skipped).
   */
  endpoints?: 'local' | 'all' | readonly EndpointKey[];
}

interface PolicyResolver {
  resolve(policy: Policy, direction: Direction, target: IndexedEndpoint): ResolvedPolicy;
  /** Text standing for a resolved policy's rules: equal texts, equal rules. */
  keyOf(resolved: ResolvedPolicy): string;
}

function resolveTier(tier: Tier, direction: Direction, target: IndexedEndpoint, policies: PolicyResolver): ResolvedTier | null {
  const selecting: ResolvedPolicy[] = tier.policies
    .filter((policy) => policy.directions.includes(direction) && endpointMatches(policy.subject, target))
    .map((policy) => policies.resolve(policy, direction, target));
  if (selecting.length === 0) return null;
  return {
    name: tier.name,
    order: tier.order,
    defaultAction: tier.defaultAction,
    enforced: selecting.some((p) => !p.staged),
    policies: selecting,
  };
}

/**
 * One policy's rules for one endpoint and direction. A policy none of whose rules varies by endpoint
 * (ruleVariesByTarget) is resolved once per direction, and that ResolvedPolicy is shared by every
 * endpoint it selects: 250 pods under one 10,000-rule policy cost one pass over its rules, not 250.
 */
function createPolicyResolver(resolveRule: RuleResolver, stagedTargets: ReadonlySet<string>): PolicyResolver {
  const shared = { ingress: new WeakMap<Policy, ResolvedPolicy | null>(), egress: new WeakMap<Policy, ResolvedPolicy | null>() };
  const sharedIds = new Map<ResolvedPolicy, number>();
  // Terms lists are shared objects (see createRuleResolver): their identity stands for their content.
  const termIds = new Map<readonly MatchTerm[], number>();
  const idOf = (terms: readonly MatchTerm[]) => {
    let id = termIds.get(terms);
    if (id === undefined) {
      id = termIds.size;
      termIds.set(terms, id);
    }
    return id;
  };
  const resolveFor = (policy: Policy, direction: Direction, target: IndexedEndpoint): ResolvedPolicy => ({
    id: policy.id,
    staged: policy.staged,
    ...(!policy.staged && stagedTargets.has(policy.id) && { stagedOut: true as const }),
    rules: policy[direction].map((rule, index) => ({ index, action: rule.action, terms: resolveRule(rule, direction, target) })),
  });
  return {
    resolve(policy, direction, target) {
      let known = shared[direction].get(policy);
      if (known === undefined) {
        // null: some rule varies by endpoint, so the policy is resolved for each endpoint it selects
        known = policy[direction].some((rule) => ruleVariesByTarget(rule, direction)) ? null : resolveFor(policy, direction, target);
        if (known) sharedIds.set(known, sharedIds.size);
        shared[direction].set(policy, known);
      }
      return known ?? resolveFor(policy, direction, target);
    },
    keyOf(resolved) {
      const id = sharedIds.get(resolved);
      return id === undefined ? resolved.rules.map((r) => idOf(r.terms)).join(',') : `#${id}`;
    },
  };
}

/**
 * Resolves one direction of one endpoint. Endpoints selected by the same policies with the same
 * resolved rules get one shared DirectionPolicy, so its canonical encoding and hash are computed
 * once, not once per pod.
 */
function createDirectionResolver(policySet: PolicySet, resolveRule: RuleResolver) {
  const digests = new Map<readonly MatchTerm[], string>();
  const digestOf = (terms: readonly MatchTerm[]) => {
    let digest = digests.get(terms);
    if (digest === undefined) {
      digest = termsDigest(terms);
      digests.set(terms, digest);
    }
    return digest;
  };
  const seen = new Map<string, DirectionPolicy>();
  // Enforced policies a staged policy would replace (or delete): left out of the staged evaluation
  // of every endpoint, whether or not the staged policy itself selects it.
  const stagedTargets = new Set(
    policySet.tiers.flatMap((tier) => tier.policies.flatMap((p) => (p.staged && p.stagedTarget !== undefined ? [p.stagedTarget] : []))),
  );
  const policies = createPolicyResolver(resolveRule, stagedTargets);

  return (direction: Direction, target: IndexedEndpoint): DirectionPolicy | null => {
    // The PolicySet lists tiers and policies in evaluation order already (policy/policy-set.ts).
    const tiers = policySet.tiers.flatMap((tier) => resolveTier(tier, direction, target, policies) ?? []);
    if (tiers.length === 0) return null;
    const key = JSON.stringify([direction, tiers.map((t) => [t.name, t.policies.map((p) => [p.id, policies.keyOf(p)])])]);
    let resolved = seen.get(key);
    if (!resolved) {
      resolved = { direction, tiers, hash: directionPolicyHash(direction, tiers, digestOf) };
      seen.set(key, resolved);
    }
    return resolved;
  };
}

/** The endpoints `options` selects (shared with policy/bandwidth/resolve.ts). */
export function endpointsWanted(options: ResolveOptions): (endpoint: IndexedEndpoint) => boolean {
  const scope = options.endpoints ?? 'local';
  if (scope === 'all') return () => true;
  if (scope === 'local') return (e) => e.endpoint.hostInterface !== undefined;
  const keys = new Set(scope);
  return (e) => keys.has(e.key);
}

export function resolveEndpointPolicies(policySet: PolicySet, inventory: Inventory, options: ResolveOptions = {}): Map<EndpointKey, EndpointPolicy> {
  const index = indexInventory(inventory);
  const resolveDirection = createDirectionResolver(policySet, createRuleResolver(index, indexNetworkSets(inventory, policySet.networkSets ?? [])));
  const result = new Map<EndpointKey, EndpointPolicy>();
  for (const target of index.endpoints.filter(endpointsWanted(options))) {
    const { hostInterface } = target.endpoint;
    result.set(target.key, {
      endpoint: target.key,
      ...(hostInterface !== undefined && { hostInterface }),
      ingress: resolveDirection('ingress', target),
      egress: resolveDirection('egress', target),
    });
  }
  return result;
}
