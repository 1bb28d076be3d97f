// Impact preview's core: which observed flows would get another verdict under a would-be policy set.
// Each distinct flow (the endpoint that saw it, direction, remote address, protocol, server port) is
// evaluated by the reference evaluator (./evaluate.ts, the one the dataplane is held to) under the
// current policy set and the would-be one, against the same inventory. Pure: no clock, no I/O.
//
// Endpoints whose resolved policy for a direction is the same under both sets (equal DirectionPolicy
// hashes) cannot change verdict: planImpact names the endpoint directions the change touches, so the
// caller reads only their flows, and the cost follows what the change touches, not how many flows
// were seen.
import type { EndpointKey, Inventory } from '../inventory.ts';
import type { Direction, PolicySet } from '../ir.ts';
import { parseAddress } from './cidr-set.ts';
import type { DirectionPolicy, EndpointPolicy } from './endpoint-policy.ts';
import { evaluateDirection, type Packet, type TraceEntry, type Verdict } from './evaluate.ts';
import { resolveEndpointPolicies } from './resolve.ts';

/** One distinct observed flow, as flow logs record it, with how much of it was seen. */
export interface ObservedFlow {
  /** `namespace/pod` of the endpoint whose program saw it. */
  endpoint: string;
  direction: Direction;
  remote: string;
  /** IANA protocol number. */
  protocol: number;
  /** The server's port; 0 when the protocol has none. */
  port: number;
  /** Connections (or packets, for denials) the flow's rows count. */
  count: number;
}

export interface VerdictChange {
  flow: ObservedFlow;
  before: Verdict;
  after: Verdict;
  /** What decides under the would-be set: the deciding rule or tier default; null when nothing does (allowed by default). */
  decidedBy: TraceEntry | null;
}

export interface ImpactEvaluation {
  changes: VerdictChange[];
  /** Flows evaluated (or skipped because their endpoint's policy did not change). */
  evaluated: number;
  /** Flows whose endpoint is not in the inventory any more, or whose remote is no address: not evaluated. */
  unresolved: number;
}

/** Both sets resolved for the inventory's endpoints, and the endpoint directions whose policy differs. */
export interface ImpactPlan {
  before: ReadonlyMap<EndpointKey, EndpointPolicy>;
  after: ReadonlyMap<EndpointKey, EndpointPolicy>;
  changed: { endpoint: EndpointKey; direction: Direction }[];
}

export function planImpact(inventory: Inventory, current: PolicySet, wouldBe: PolicySet): ImpactPlan {
  const before = resolveEndpointPolicies(current, inventory, { endpoints: 'all' });
  const after = resolveEndpointPolicies(wouldBe, inventory, { endpoints: 'all' });
  const changed: ImpactPlan['changed'] = [];
  for (const [endpoint, was] of before) {
    for (const direction of ['ingress', 'egress'] as const) {
      if (directionOf(was, direction)?.hash !== directionOf(after.get(endpoint), direction)?.hash) changed.push({ endpoint, direction });
    }
  }
  return { before, after, changed };
}

export interface ImpactOptions {
  /** Called between flows; true stops the evaluation there (a time budget). */
  shouldStop?: () => boolean;
}

function decidingEntry(trace: readonly TraceEntry[]): TraceEntry | null {
  const last = trace[trace.length - 1];
  return last && (last.action === 'Allow' || last.action === 'Deny') ? last : null;
}

function packetOf(flow: ObservedFlow): Packet {
  return { remoteIp: flow.remote, protocol: flow.protocol, ...(flow.port > 0 && { dstPort: flow.port }) };
}

const directionOf = (policy: EndpointPolicy | undefined, direction: Direction): DirectionPolicy | null => policy?.[direction] ?? null;

/** What one distinct flow gets under both sets; the same for every flow with the same policies and packet. */
interface FlowVerdicts {
  before: Verdict;
  after: Verdict;
  decidedBy: TraceEntry | null;
}

export function evaluateImpact(plan: ImpactPlan, flows: readonly ObservedFlow[], options: ImpactOptions = {}): ImpactEvaluation {
  const { before, after } = plan;
  const changes: VerdictChange[] = [];
  // The evaluator is pure in (policy, packet): replicas of a workload share their policies' hashes, so
  // their flows to one remote and port are evaluated once. Remotes repeat across flows too.
  const verdicts = new Map<string, FlowVerdicts>();
  const addressOk = new Map<string, boolean>();
  let evaluated = 0;
  let unresolved = 0;
  for (const flow of flows) {
    if (options.shouldStop?.()) break;
    const was = before.get(flow.endpoint);
    let valid = addressOk.get(flow.remote);
    if (valid === undefined) {
      valid = parseAddress(flow.remote) !== null;
      addressOk.set(flow.remote, valid);
    }
    if (!was || !valid) {
      unresolved += 1;
      continue;
    }
    evaluated += 1;
    const policyBefore = directionOf(was, flow.direction);
    const policyAfter = directionOf(after.get(flow.endpoint), flow.direction);
    if (policyBefore?.hash === policyAfter?.hash) continue;
    const key = `${policyBefore?.hash ?? ''} ${policyAfter?.hash ?? ''} ${flow.remote} ${flow.protocol} ${flow.port}`;
    let verdict = verdicts.get(key);
    if (!verdict) {
      const packet = packetOf(flow);
      const evaluationAfter = evaluateDirection(policyAfter, packet);
      verdict = { before: evaluateDirection(policyBefore, packet).verdict, after: evaluationAfter.verdict, decidedBy: decidingEntry(evaluationAfter.trace) };
      verdicts.set(key, verdict);
    }
    if (verdict.before === verdict.after) continue;
    changes.push({ flow, before: verdict.before, after: verdict.after, decidedBy: verdict.decidedBy });
  }
  return { changes, evaluated, unresolved };
}
