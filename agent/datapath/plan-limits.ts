// The plan limits a bundle carries (PolicySet.limits), checked by the agent before it compiles: the
// API checks them at write time, but only against the inventory agents last reported, and a
// bundle is the agent's only input. A bundle over a limit is refused as a whole (the previous
// enforcement stays, the reason is reported), like one the kernel could not load.

import type { EndpointPolicy } from '../../policy/evaluation/endpoint-policy.ts';
import type { EndpointKey } from '../../policy/inventory.ts';
import type { PolicySet } from '../../policy/ir.ts';
import { maxRulesOf } from '../../policy/plan/endpoint-rules.ts';
import type { DataplaneError } from './dataplane.ts';

export function planLimitErrors(set: PolicySet, resolved: ReadonlyMap<EndpointKey, EndpointPolicy>): DataplaneError[] {
  const limits = set.limits;
  if (!limits) return [];
  const errors: DataplaneError[] = [];
  if (limits.rulesPerEndpoint !== undefined) {
    const busiest = maxRulesOf(resolved);
    if (busiest.rules > limits.rulesPerEndpoint) {
      errors.push({
        code: 'PLAN_LIMIT_EXCEEDED',
        message: `plan limit rulesPerEndpoint is ${limits.rulesPerEndpoint}: ${busiest.endpoint} would evaluate ${busiest.rules} rules for ${busiest.direction} after selectors are expanded on this node`,
        ...(busiest.endpoint && { endpoint: busiest.endpoint }),
      });
    }
  }
  if (limits.cidrsPerSet !== undefined) {
    for (const networkSet of set.networkSets ?? []) {
      if (networkSet.nets.length > limits.cidrsPerSet) {
        errors.push({
          code: 'PLAN_LIMIT_EXCEEDED',
          message: `plan limit cidrsPerSet is ${limits.cidrsPerSet}: ${networkSet.id} holds ${networkSet.nets.length} CIDRs`,
        });
      }
    }
  }
  return errors;
}
