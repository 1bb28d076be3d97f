// The agent's own answer to "why was this dropped?": the same reference evaluation as the control
// plane's GET /v1/clusters/{id}/explain (policy/evaluation reachable(): tiers ascending, first deciding
// rule, tier defaults), but on what this node enforces right now — the applied bundle's policy set and
// the inventory it was applied with — so it works with the control plane unreachable.

import type { Evaluation, TraceEntry } from '../../policy/evaluation/evaluate.ts';
import { reachable } from '../../policy/evaluation/reachable.ts';
import { endpointKey, type Inventory, inventoryHash } from '../../policy/inventory.ts';
import type { PolicySet, Protocol } from '../../policy/ir.ts';

export interface ExplainQuery {
  from: string;
  to: string;
  port: number;
  protocol: Protocol;
  family?: 4 | 6;
}

export interface ExplainedDirection {
  verdict: 'allow' | 'deny';
  trace: { tier: string; policy: string; ruleIndex: number | 'default'; action: string }[];
  stagedVerdict?: 'allow' | 'deny';
  stagedTrace?: ExplainedDirection['trace'];
}

export interface LocalExplanation {
  verdict: 'allow' | 'deny';
  from: string;
  to: string;
  port: number;
  protocol: Protocol;
  /** The revision this node enforces; null when it enforces none (everything is allowed). */
  revision: number | null;
  inventoryHash: string;
  egress: ExplainedDirection;
  ingress: ExplainedDirection;
  /** Present when from and to are one pod: allowed without consulting policy (policy/evaluation/reachable.ts). */
  sameEndpoint?: true;
}

export type ExplainResult =
  | { ok: true; explanation: LocalExplanation }
  | { ok: false; code: 'NO_INVENTORY' | 'UNKNOWN_POD' | 'NO_ADDRESS'; field?: 'from' | 'to'; message: string };

const traceOf = (trace: readonly TraceEntry[]) => trace.map((t) => ({ tier: t.tier, policy: t.policyId, ruleIndex: t.ruleIndex, action: t.action }));

function directionOf(evaluation: Evaluation): ExplainedDirection {
  return {
    verdict: evaluation.verdict,
    trace: traceOf(evaluation.trace),
    ...(evaluation.stagedVerdict !== undefined && { stagedVerdict: evaluation.stagedVerdict }),
    ...(evaluation.stagedTrace !== undefined && { stagedTrace: traceOf(evaluation.stagedTrace) }),
  };
}

export function explainLocally(enforced: { revision: number | null; policy: PolicySet }, inventory: Inventory | undefined, query: ExplainQuery): ExplainResult {
  if (!inventory) return { ok: false, code: 'NO_INVENTORY', message: 'the agent has no endpoint inventory yet' };
  const family = query.family ?? 4;
  for (const field of ['from', 'to'] as const) {
    const endpoint = inventory.endpoints.find((e) => endpointKey(e) === query[field]);
    if (!endpoint) return { ok: false, code: 'UNKNOWN_POD', field, message: `no pod ${query[field]} in the agent's inventory` };
    if ((family === 4 ? endpoint.ipv4 : endpoint.ipv6).length === 0) {
      return { ok: false, code: 'NO_ADDRESS', field, message: `pod ${query[field]} has no IPv${family} address` };
    }
  }
  const result = reachable(inventory, enforced.policy, query.from, query.to, query.port, query.protocol, { family });
  return {
    ok: true,
    explanation: {
      verdict: result.allowed ? 'allow' : 'deny',
      from: query.from,
      to: query.to,
      port: query.port,
      protocol: query.protocol,
      revision: enforced.revision,
      inventoryHash: inventoryHash(inventory),
      egress: directionOf(result.egress),
      ingress: directionOf(result.ingress),
      ...(result.sameEndpoint && { sameEndpoint: true as const }),
    },
  };
}
