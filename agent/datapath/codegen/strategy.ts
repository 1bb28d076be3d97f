// The seam between the program skeleton (parse, conntrack, verdict, events) and how policy is
// evaluated. DESIGN.md "Compile": straight-line code for few rules, a map-driven classifier (per-
// field lookups into bit vectors, first set bit wins) for many, so per-packet cost stops growing
// with the rule count. `chooseStrategy` picks by size (limits.ts CLASSIFIER_MIN_TERMS).
import type { DirectionPolicy } from '../../../policy/evaluation/endpoint-policy.ts';
import { CLASSIFIER_MIN_TERMS } from '../limits.ts';
import { classifier } from './classifier.ts';
import type { EvaluationStrategy, StrategyName } from './evaluation.ts';
import { straightLine } from './straight-line.ts';

export const STRATEGIES: Readonly<Record<StrategyName, EvaluationStrategy>> = { 'straight-line': straightLine, classifier };

/**
 * Terms of the longer of the two evaluations (enforced; staged = all policies but stagedOut ones):
 * what the straight-line code's length and per-packet cost grow with.
 */
export function evaluationTerms(policy: DirectionPolicy): number {
  const count = (include: (p: DirectionPolicy['tiers'][number]['policies'][number]) => boolean) =>
    policy.tiers.reduce((n, t) => n + t.policies.reduce((m, p) => (include(p) ? m + p.rules.reduce((k, r) => k + r.terms.length, 0) : m), 0), 0);
  return Math.max(
    count((p) => !p.staged),
    count((p) => !p.stagedOut),
  );
}

/**
 * Straight-line below CLASSIFIER_MIN_TERMS terms, the classifier from there on. The
 * strategy evaluates both the enforced and the staged block (classifier.ts: tables of their own).
 */
export function chooseStrategy(policy: DirectionPolicy): EvaluationStrategy {
  return evaluationTerms(policy) >= CLASSIFIER_MIN_TERMS ? classifier : straightLine;
}
