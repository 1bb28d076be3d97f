// What each local endpoint needs on its two hooks, from the resolved policy: pure, so the dataplane
// only compares it with what is attached. Programs go by key (direction and policy hash): equal
// keys are one program, shared by every endpoint that needs it.
import type { Direction } from '../../policy/ir.ts';
import type { DirectionPolicy, EndpointPolicy } from '../../policy/evaluation/endpoint-policy.ts';
import type { EndpointKey } from '../../policy/inventory.ts';
import { hookOf, type Hook } from './codegen/hooks.ts';

export interface HookPlan {
  /** `<direction>:<policy hash>`, or `<direction>:open` for the allow program of an unselected direction. */
  key: string;
  direction: Direction;
  policy: DirectionPolicy | null;
}

export interface EndpointPlan {
  endpoint: EndpointKey;
  ifname: string;
  /**
   * Both hooks when some policy selects the endpoint in either direction (the unselected direction
   * gets the allow program, which records the flows the pod opens so their replies pass the other
   * hook); none when nothing selects it (no program at all, as Kubernetes leaves such pods open).
   */
  hooks: Partial<Record<Hook, HookPlan>>;
}

export const programKey = (direction: Direction, policy: DirectionPolicy | null): string => `${direction}:${policy?.hash ?? 'open'}`;

export function planEndpoints(resolved: ReadonlyMap<EndpointKey, EndpointPolicy>): EndpointPlan[] {
  const plans: EndpointPlan[] = [];
  for (const [endpoint, ep] of resolved) {
    if (ep.hostInterface === undefined) continue;
    const hooks: EndpointPlan['hooks'] = {};
    if (ep.ingress || ep.egress) {
      for (const direction of ['ingress', 'egress'] as const) {
        hooks[hookOf(direction)] = { key: programKey(direction, ep[direction]), direction, policy: ep[direction] };
      }
    }
    plans.push({ endpoint, ifname: ep.hostInterface, hooks });
  }
  return plans;
}

/** Each program needed once, with the endpoints that will run it. */
export function programsNeeded(plans: readonly EndpointPlan[]): Map<string, HookPlan & { endpoints: EndpointKey[] }> {
  const needed = new Map<string, HookPlan & { endpoints: EndpointKey[] }>();
  for (const plan of plans) {
    for (const hook of Object.values(plan.hooks)) {
      const entry = needed.get(hook.key) ?? { ...hook, endpoints: [] };
      entry.endpoints.push(plan.endpoint);
      needed.set(hook.key, entry);
    }
  }
  return needed;
}
