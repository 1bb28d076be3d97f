// The seam between the program skeleton (parse, conntrack, verdict, events) and how policy is
// evaluated. DESIGN.md "Compile": straight-line code for few rules, a map-driven classifier (per-
// field lookups into bit vectors, first set bit wins) for many, so per-packet cost stops growing
// with the rule count. `chooseStrategy` picks by size (limits.ts CLASSIFIER_MIN_TERMS).
import type { DirectionPolicy } from '../../../policy/evaluation/endpoint-policy.ts';
import type { ProgramSource } from '../../../bpf/asm/index.ts';
import type { IpSetTable } from './ip-sets.ts';
import type { SlotTable } from './slots.ts';
import { straightLine } from './straight-line.ts';
import { classifier } from './classifier.ts';
import type { ClassifierTables } from './classifier-tables.ts';
import { CLASSIFIER_MIN_TERMS } from '../limits.ts';

export type StrategyName = 'straight-line' | 'classifier';

/**
 * One evaluation of the policy, enforced or staged. The code starts where it is placed, with the
 * state filled in (layouts.ts State: protocol, dport, familyBit, the LPM key's address), and ends by
 * jumping to `allowLabel` or `denyLabel` with the deciding rule's slot in State.ruleSlot (enforced)
 * or State.stagedSlot (staged), NO_SLOT when no rule decided.
 */
export interface EvaluationBlock {
  mode: 'enforced' | 'staged';
  /** Prepended to every label of the block, so two blocks can share a program. */
  labelPrefix: string;
  allowLabel: string;
  denyLabel: string;
}

export interface StrategyContext {
  slots: SlotTable;
  ipSets: IpSetTable;
  /** Set by the classifier strategy: the tables load.ts puts in the program's maps. */
  classifier?: ClassifierTables;
  /** Set by the classifier strategy for the staged evaluation. */
  stagedClassifier?: ClassifierTables;
}

export interface EvaluationStrategy {
  readonly name: StrategyName;
  /**
   * Enforced mode: only policies that are not staged, tiers with none of those skipped; Log rules
   * emit events and Pass/Log rules count. Staged mode: every policy (staged and enforced, as
   * policy/evaluation/evaluate.ts defines the "would have been" verdict), without side effects.
   */
  generate(policy: DirectionPolicy, block: EvaluationBlock, context: StrategyContext): ProgramSource;
}

export const STRATEGIES: Readonly<Record<StrategyName, EvaluationStrategy>> = { 'straight-line': straightLine, classifier };

/**
 * Terms of the longer of the two evaluations (enforced; staged = all policies but stagedOut ones):
 * what the straight-line code's length and per-packet cost grow with.
 */
export function evaluationTerms(policy: DirectionPolicy): number {
  const count = (include: (p: DirectionPolicy['tiers'][number]['policies'][number]) => boolean) =>
    policy.tiers.reduce((n, t) => n + t.policies.reduce((m, p) => (include(p) ? m + p.rules.reduce((k, r) => k + r.terms.length, 0) : m), 0), 0);
  return Math.max(count((p) => !p.staged), count((p) => !p.stagedOut));
}

/**
 * Straight-line below CLASSIFIER_MIN_TERMS terms, the classifier from there on. The
 * strategy evaluates both the enforced and the staged block (classifier.ts: tables of their own).
 */
export function chooseStrategy(policy: DirectionPolicy): EvaluationStrategy {
  return evaluationTerms(policy) >= CLASSIFIER_MIN_TERMS ? classifier : straightLine;
}

export function isStrategyName(name: string | undefined): name is StrategyName {
  return name !== undefined && Object.hasOwn(STRATEGIES, name);
}
