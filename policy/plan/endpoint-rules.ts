// Rules per endpoint, the plan limit a program's size follows: the policy set resolved against an
// inventory (selectors, named ports and network sets expanded into match terms), counting each
// endpoint's terms per direction over every tier, policy (staged ones too: they are compiled to
// record what they would have decided) and rule. An endpoint's count is that of its longer direction.
// Pure, so the API (at write time, with the cluster's last reported inventory) and the agent (before
// compiling, with its own) count the same way.

import type { DirectionPolicy, EndpointPolicy } from '../evaluation/endpoint-policy.ts';
import { type ResolveOptions, resolveEndpointPolicies } from '../evaluation/resolve.ts';
import type { EndpointKey, Inventory } from '../inventory.ts';
import type { Direction, PolicySet } from '../ir.ts';

export interface EndpointRuleCount {
  /** Terms in the longest direction of the busiest endpoint; 0 when no policy selects any endpoint. */
  rules: number;
  /** Which endpoint and direction, for the message; null when `rules` is 0. */
  endpoint: EndpointKey | null;
  direction: Direction | null;
}

export function termsOf(policy: DirectionPolicy | null): number {
  if (!policy) return 0;
  let terms = 0;
  for (const tier of policy.tiers) for (const resolved of tier.policies) for (const rule of resolved.rules) terms += rule.terms.length;
  return terms;
}

/**
 * The largest rules-per-endpoint count among the endpoints `options` selects: every endpoint by
 * default (the API's view of the whole cluster).
 */
export function maxRulesPerEndpoint(set: PolicySet, inventory: Inventory, options: ResolveOptions = { endpoints: 'all' }): EndpointRuleCount {
  return maxRulesOf(resolveEndpointPolicies(set, inventory, options));
}

/** The same over policies resolved already (the agent's dataplane resolves once, for both). */
export function maxRulesOf(resolved: ReadonlyMap<EndpointKey, EndpointPolicy>): EndpointRuleCount {
  // Endpoints with equal policy share DirectionPolicy objects: count each object once.
  const counted = new Map<DirectionPolicy, number>();
  const count = (policy: DirectionPolicy | null) => {
    if (!policy) return 0;
    let terms = counted.get(policy);
    if (terms === undefined) {
      terms = termsOf(policy);
      counted.set(policy, terms);
    }
    return terms;
  };
  let max: EndpointRuleCount = { rules: 0, endpoint: null, direction: null };
  for (const [key, endpoint] of resolved) {
    for (const direction of ['ingress', 'egress'] as const) {
      const rules = count(endpoint[direction]);
      if (rules > max.rules) max = { rules, endpoint: key, direction };
    }
  }
  return max;
}
