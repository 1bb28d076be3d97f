// Turning a submitted document into a storable policy: validation by the kind's schema (any accepted
// kind), the rules-per-policy limit, and the identity (kind/namespace/name) that stays fixed.
import { parsePolicyObject } from '../../policy/kinds/index.ts';
import type { Policy } from '../../policy/ir.ts';
import type { PlanLimits } from '../../policy/plan/limits.ts';
import { validationFailed } from '../errors/api-error.ts';
import { pathToString } from '../errors/api-error.ts';
import { assertWithinLimit } from './limits.ts';

export interface AcceptedPolicy {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  manifest: Record<string, unknown>;
  ir: Policy;
  ruleCount: number;
}

export function acceptPolicyDocument(document: unknown): AcceptedPolicy {
  const result = parsePolicyObject(document);
  if (!result.ok) throw validationFailed(result.issues.map((issue) => ({ path: pathToString(issue.path), message: issue.message })));
  const manifest = result.object as Record<string, unknown>;
  return {
    apiVersion: result.apiVersion,
    kind: result.kind,
    namespace: result.ir.namespace ?? '',
    name: result.ir.name,
    manifest,
    ir: result.ir,
    ruleCount: result.ir.ingress.length + result.ir.egress.length,
  };
}

export function assertRuleLimit(limits: PlanLimits, policy: AcceptedPolicy): void {
  assertWithinLimit(limits, 'rulesPerPolicy', 0, policy.ruleCount);
}
