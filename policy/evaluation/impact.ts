// Impact preview's core: which observed flows would get another verdict under a would-be policy set.
// Each distinct flow (the endpoint that saw it, direction, remote address, protocol, server port) is
// evaluated by the reference evaluator (./evaluate.ts, the one the dataplane is held to) under the
// current policy set and the would-be one, against the same inventory. Pure: no clock, no I/O.
//
// Endpoints whose resolved policy for the flow's direction is the same under both sets (equal
// DirectionPolicy hashes) cannot change verdict and are not evaluated at all, so the cost follows
// what the change touches, not how many flows were seen.
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

export function evaluateImpact(
  inventory: Inventory,
  current: PolicySet,
  wouldBe: PolicySet,
  flows: readonly ObservedFlow[],
  options: ImpactOptions = {},
): ImpactEvaluation {
  const endpoints: EndpointKey[] = [...new Set(flows.map((flow) => flow.endpoint))];
  const before = resolveEndpointPolicies(current, inventory, { endpoints });
  const after = resolveEndpointPolicies(wouldBe, inventory, { endpoints });
  const changes: VerdictChange[] = [];
  let evaluated = 0;
  let unresolved = 0;
  for (const flow of flows) {
    if (options.shouldStop?.()) break;
    const was = before.get(flow.endpoint);
    if (!was || parseAddress(flow.remote) === null) {
      unresolved += 1;
      continue;
    }
    evaluated += 1;
    const policyBefore = directionOf(was, flow.direction);
    const policyAfter = directionOf(after.get(flow.endpoint), flow.direction);
    if (policyBefore?.hash === policyAfter?.hash) continue;
    const packet = packetOf(flow);
    const verdictBefore = evaluateDirection(policyBefore, packet).verdict;
    const evaluationAfter = evaluateDirection(policyAfter, packet);
    if (verdictBefore === evaluationAfter.verdict) continue;
    changes.push({ flow, before: verdictBefore, after: evaluationAfter.verdict, decidedBy: decidingEntry(evaluationAfter.trace) });
  }
  return { changes, evaluated, unresolved };
}
