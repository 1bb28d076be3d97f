// The plan phase (pure): what each local endpoint needs on its two hooks, from the bundle's policy
// resolved against the inventory, its bandwidth limits and the plan limits it carries; and where
// each token bucket goes in the node's bucket array. The later phases only carry it out: compile
// and load the programs it names, then swap them in. Programs go by key (direction, policy hash,
// and whether they police bandwidth): equal keys are one program, shared by every endpoint that
// needs it.
import type { EndpointBandwidth } from '../../policy/bandwidth/buckets.ts';
import type { DirectionPolicy, EndpointPolicy } from '../../policy/evaluation/endpoint-policy.ts';
import { resolveEndpointPolicies } from '../../policy/evaluation/resolve.ts';
import type { EndpointKey, Inventory } from '../../policy/inventory.ts';
import type { Direction, PolicySet } from '../../policy/ir.ts';
import { type BucketEntry, type BucketPlan, BucketTableFull, planBuckets } from './bandwidth/allocation.ts';
import { enforceableBandwidth } from './bandwidth/enforceable.ts';
import { type FairShares, fairShares } from './bandwidth/shares.ts';
import type { BandwidthResolver } from './bandwidth/source.ts';
import { type Hook, hookOf } from './codegen/hooks.ts';
import type { DataplaneError } from './dataplane.ts';
import { planLimitErrors } from './plan-limits.ts';

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
  /** Its fair share of the tenant ceiling per direction charged to it (bandwidth/shares.ts). */
  shares?: FairShares;
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
    plans.push({ endpoint, ifname: ep.hostInterface, hooks, ...(hasBuckets && { bandwidth: bw, shares: fairShares(endpoint, bw!) }) });
  }
  return plans;
}

/** A program the plan needs, with the endpoints that will run it. */
export interface ProgramNeed extends HookPlan {
  endpoints: EndpointKey[];
}

/** Each program needed once, with the endpoints that will run it. */
export function programsNeeded(plans: readonly EndpointPlan[]): Map<string, ProgramNeed> {
  const needed = new Map<string, ProgramNeed>();
  for (const plan of plans) {
    for (const hook of Object.values(plan.hooks)) {
      const entry = needed.get(hook.key) ?? { ...hook, endpoints: [] };
      entry.endpoints.push(plan.endpoint);
      needed.set(hook.key, entry);
    }
  }
  return needed;
}

export interface ApplyPlan {
  endpoints: EndpointPlan[];
  /** Every program the endpoints need, by key. */
  programs: Map<string, ProgramNeed>;
  /** Where the wanted token buckets go in the node's array (written only once every program loaded). */
  buckets: BucketPlan;
  /** Limits that cannot be enforced as written: reported, the rest of the bundle still applies. */
  warnings: DataplaneError[];
}

export type PlanResult = { ok: true; plan: ApplyPlan } | { ok: false; errors: DataplaneError[] };

export interface PlanContext {
  /** Each local endpoint's token buckets (bandwidth/source.ts). */
  resolveBandwidth: BandwidthResolver;
  /** The node's bucket array as it is now, and its size (bandwidth/maps.ts). */
  bucketTable: { entries: readonly BucketEntry[]; capacity: number };
}

/** The whole plan, or why the bundle cannot be enforced here (the previous enforcement then stays). */
export function planApply(policy: PolicySet, inventory: Inventory, context: PlanContext): PlanResult {
  let resolved: Map<EndpointKey, EndpointPolicy>;
  let bandwidth: ReadonlyMap<EndpointKey, EndpointBandwidth>;
  const warnings: DataplaneError[] = [];
  try {
    resolved = resolveEndpointPolicies(policy, inventory, { endpoints: 'local' });
    const asked = context.resolveBandwidth(policy, inventory);
    for (const issue of asked.issues) warnings.push({ code: 'BANDWIDTH_INVALID', message: `${issue.field}: ${issue.message}`, endpoint: issue.endpoint });
    const enforceable = enforceableBandwidth(asked.endpoints);
    for (const p of enforceable.problems) warnings.push({ code: 'BANDWIDTH_INVALID', message: p.message, endpoint: p.endpoint });
    bandwidth = enforceable.endpoints;
  } catch (error) {
    return { ok: false, errors: [{ code: 'COMPILE_FAILED', message: (error as Error).message }] };
  }
  const overLimits = planLimitErrors(policy, resolved);
  if (overLimits.length > 0) return { ok: false, errors: overLimits };
  const endpoints = planEndpoints(resolved, bandwidth);
  const wanted = endpoints.flatMap((p) => (p.bandwidth ? [...p.bandwidth.egress, ...p.bandwidth.ingress, ...Object.values(p.shares ?? {})] : []));
  let buckets: BucketPlan;
  try {
    buckets = planBuckets(context.bucketTable.entries, wanted, context.bucketTable.capacity);
  } catch (error) {
    const code = error instanceof BucketTableFull ? 'BANDWIDTH_LIMIT' : 'COMPILE_FAILED';
    return { ok: false, errors: [{ code, message: (error as Error).message }] };
  }
  return { ok: true, plan: { endpoints, programs: programsNeeded(endpoints), buckets, warnings } };
}
