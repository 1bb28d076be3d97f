// What an evaluation strategy is (DESIGN.md "Compile"): the contract between the program skeleton
// and the code that evaluates policy, with no strategy in it. The strategies (straight-line.ts,
// classifier.ts) implement it and strategy.ts picks one, so neither strategy imports the picker.

import type { ProgramSource } from '../../../bpf/asm/index.ts';
import type { DirectionPolicy } from '../../../policy/evaluation/endpoint-policy.ts';
import type { ClassifierTables } from './classifier-tables.ts';
import type { IpSetTable } from './ip-sets.ts';
import type { SlotTable } from './slots.ts';

/** The strategies by name; the agent's configuration may force one (agent/config.ts). */
export const STRATEGY_NAMES = ['straight-line', 'classifier'] as const;

export type StrategyName = (typeof STRATEGY_NAMES)[number];

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
