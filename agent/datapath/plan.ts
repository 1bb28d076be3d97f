// What each local endpoint needs on its two hooks, from the resolved policy and bandwidth: pure, so
// the dataplane only compares it with what is attached. Programs go by key (direction, policy hash,
// and whether they police bandwidth): equal keys are one program, shared by every endpoint that
// needs it.
import type { EndpointBandwidth } from '../../policy/bandwidth/buckets.ts';
import type { Direction } from '../../policy/ir.ts';
import type { DirectionPolicy, EndpointPolicy } from '../../policy/evaluation/endpoint-policy.ts';
import type { EndpointKey } from '../../policy/inventory.ts';
import { hookOf, type Hook } from './codegen/hooks.ts';

export interface HookPlan {
  /**
   * `<direction>:<policy hash>`, or `<direction>:open` for the allow program of an unselected
   * direction; `:bw` appended when the program polices bandwidth.
   */
  key: string;
  direction: Direction;
  policy: DirectionPolicy | null;
  /** The endpoint has token buckets for this direction: the program charges allowed packets to them. */
  bandwidth: boolean;
}

export interface EndpointPlan {
  endpoint: EndpointKey;
  ifname: string;
  /**
   * Both hooks when some policy selects the endpoint in either direction (the unselected direction
   * gets the allow program, which records the flows the pod opens so their replies pass the other
   * hook); otherwise the hooks of the directions with a bandwidth limit (the allow program with
   * policing); none when neither applies (no program at all, as Kubernetes leaves such pods open).
   */
  hooks: Partial<Record<Hook, HookPlan>>;
  /** The endpoint's buckets, when it has any. */
  bandwidth?: EndpointBandwidth;
}

export const programKey = (direction: Direction, policy: DirectionPolicy | null, bandwidth = false): string =>
  `${direction}:${policy?.hash ?? 'open'}${bandwidth ? ':bw' : ''}`;

const limited = (bandwidth: EndpointBandwidth | undefined, direction: Direction): boolean => (bandwidth?.[direction].length ?? 0) > 0;

export function planEndpoints(
  resolved: ReadonlyMap<EndpointKey, EndpointPolicy>,
  bandwidth: ReadonlyMap<EndpointKey, EndpointBandwidth> = new Map(),
): EndpointPlan[] {
  const plans: EndpointPlan[] = [];
  for (const [endpoint, ep] of resolved) {
    if (ep.hostInterface === undefined) continue;
    const hooks: EndpointPlan['hooks'] = {};
    const bw = bandwidth.get(endpoint);
    const selected = Boolean(ep.ingress || ep.egress);
    for (const direction of ['ingress', 'egress'] as const) {
      const policing = limited(bw, direction);
      if (!selected && !policing) continue;
      hooks[hookOf(direction)] = { key: programKey(direction, ep[direction], policing), direction, policy: ep[direction], bandwidth: policing };
    }
    const hasBuckets = limited(bw, 'ingress') || limited(bw, 'egress');
    plans.push({ endpoint, ifname: ep.hostInterface, hooks, ...(hasBuckets && { bandwidth: bw }) });
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
