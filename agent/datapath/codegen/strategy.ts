// The seam between the program skeleton (parse, conntrack, verdict, events) and how policy is
// evaluated. DESIGN.md "Compile": straight-line code for few rules, a map-driven classifier (per-
// field lookups into bit vectors, first set bit wins) for many, so per-packet cost stops growing
// with the rule count. Only the straight-line strategy exists yet; `chooseStrategy` is where the
// classifier will be picked by size.
import type { DirectionPolicy } from '../../../policy/evaluation/endpoint-policy.ts';
import type { ProgramSource } from '../../../bpf/asm/index.ts';
import type { IpSetTable } from './ip-sets.ts';
import type { SlotTable } from './slots.ts';
import { straightLine } from './straight-line.ts';

export type StrategyName = 'straight-line';

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

export const STRATEGIES: Readonly<Record<StrategyName, EvaluationStrategy>> = { 'straight-line': straightLine };

export function chooseStrategy(_policy: DirectionPolicy): EvaluationStrategy {
  return straightLine;
}
