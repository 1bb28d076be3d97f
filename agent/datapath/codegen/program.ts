// One policy program: the pure half of the datapath. Takes one endpoint direction's resolved policy
// (policy/evaluation) and returns the assembled program, with placeholders for map fds, plus what
// loading needs (address-set entries, the rule slot table) and what the status report shows. No
// kernel involved: unit tests assemble and inspect programs without root.
import { type AssembledProgram, Class, dump, JmpOp } from '../../../bpf/asm/index.ts';
import { isBpfError } from '../../../bpf/errors.ts';
import type { DirectionPolicy } from '../../../policy/evaluation/endpoint-policy.ts';
import type { Direction } from '../../../policy/ir.ts';
import { DatapathError } from '../errors.ts';
import { MAX_CLASSIFIER_BYTES, MAX_CONDITIONAL_JUMPS, MAX_IPSET_ENTRIES, MAX_POLICY_PROGRAM_SLOTS, MAX_RULE_SLOTS } from '../limits.ts';
import type { ClassifierTables } from './classifier-tables.ts';
import { conntrackLookup } from './conntrack.ts';
import type { StrategyContext, StrategyName } from './evaluation.ts';
import { assembleInJumpRange } from './far-jumps.ts';
import { laterFragment } from './fragments.ts';
import { type Hook, hookOf } from './hooks.ts';
import { type IpSetEntry, IpSetTable } from './ip-sets.ts';
import { parse } from './parse.ts';
import { dropExits, prologue } from './prologue.ts';
import { removeUnreachable } from './reachable.ts';
import { type RuleSlot, SlotTable } from './slots.ts';
import { chooseStrategy, STRATEGIES } from './strategy.ts';
import { hasStagedPolicies, policySection, shortcutExits } from './verdict.ts';

export interface CompileOptions {
  /** Force a strategy (default: chosen by size). */
  strategy?: StrategyName;
  /** Lower limits, for tests of the refusal path. */
  limits?: Partial<CompileLimits>;
  /**
   * Charge allowed packets to the endpoint's token buckets (codegen/bandwidth.ts). Only programs of
   * endpoints with a limit get it, so the others pay nothing for the feature.
   */
  bandwidth?: boolean;
}

export interface CompileLimits {
  programSlots: number;
  conditionalJumps: number;
  ruleSlots: number;
  ipSetEntries: number;
  classifierBytes: number;
}

const DEFAULT_LIMITS: CompileLimits = {
  programSlots: MAX_POLICY_PROGRAM_SLOTS,
  conditionalJumps: MAX_CONDITIONAL_JUMPS,
  ruleSlots: MAX_RULE_SLOTS,
  ipSetEntries: MAX_IPSET_ENTRIES,
  classifierBytes: MAX_CLASSIFIER_BYTES,
};

export interface CompiledStats {
  /** 8-byte instruction slots: what the kernel's limits count. */
  instructions: number;
  /** Two-way branches: what bounds the verifier's pending-state stack (limits.ts MAX_CONDITIONAL_JUMPS). */
  conditionalJumps: number;
  strategy: StrategyName;
  /** Rules with code (matching something) across all tiers and policies, staged included. */
  rules: number;
  /** Counted slots: rules and tier defaults. */
  ruleSlots: number;
  ipSets: number;
  ipSetEntries: number;
  longJumps: number;
  staged: boolean;
  /** The program polices bandwidth. */
  bandwidth: boolean;
}

export interface CompiledProgram {
  /** Kernel object name: pal_<i|e>[b]_<tag> (b: with bandwidth policing). */
  name: string;
  direction: Direction;
  hook: Hook;
  /** The direction policy's hash; null for the allow program of a direction no policy selects. */
  hash: string | null;
  /** 32 bits of the hash, carried by every flow event and conntrack entry of this program. */
  tag: number;
  assembled: AssembledProgram;
  slots: readonly RuleSlot[];
  ipSetEntries: readonly IpSetEntry[];
  /** The classifier's map contents, when the enforced evaluation is map-driven. */
  classifier?: ClassifierTables;
  /** The same for the staged evaluation. */
  stagedClassifier?: ClassifierTables;
  stats: CompiledStats;
  /** The listing with rule summaries, slot numbers as the verifier log has them. */
  dump(): string;
}

export function tagOf(hash: string | null): number {
  return hash === null ? 0 : Number.parseInt(hash.slice(0, 8), 16) >>> 0;
}

function limitError(what: string, needed: number, limit: number, direction: Direction): DatapathError {
  return new DatapathError('COMPILE_LIMIT', `${direction} program needs ${needed} ${what}; the limit is ${limit}`);
}

/** Jumps with two successors (not ja/gotol, call or exit). */
export function countConditionalJumps(assembled: AssembledProgram): number {
  let n = 0;
  for (const insn of assembled.instructions) {
    const cls = insn.opcode & 0x07;
    const op = insn.opcode & 0xf0;
    if ((cls === Class.JMP || cls === Class.JMP32) && op !== JmpOp.JA && op !== JmpOp.CALL && op !== JmpOp.EXIT) n++;
  }
  return n;
}

export function compileDirection(direction: Direction, policy: DirectionPolicy | null, options: CompileOptions = {}): CompiledProgram {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const hook = hookOf(direction);
  const hash = policy?.hash ?? null;
  const tag = tagOf(hash);
  const strategy = options.strategy ? STRATEGIES[options.strategy] : policy ? chooseStrategy(policy) : STRATEGIES['straight-line'];
  const context: StrategyContext = { slots: new SlotTable(), ipSets: new IpSetTable() };
  const bandwidth = options.bandwidth ?? false;

  // Exits before the policy section: the parser's and conntrack's conditional jumps to them stay
  // short however long the policy gets (far-jumps.ts).
  const source = [
    prologue(hook, tag),
    parse(hook),
    dropExits(),
    laterFragment(bandwidth),
    shortcutExits(hook, bandwidth),
    conntrackLookup(),
    policySection({ policy, strategy, context, tag }),
  ];

  if (context.slots.size > limits.ruleSlots) throw limitError('rule slots', context.slots.size, limits.ruleSlots, direction);
  const classifierBytes = (context.classifier?.bytes ?? 0) + (context.stagedClassifier?.bytes ?? 0);
  if (classifierBytes > limits.classifierBytes) throw limitError('bytes of classifier maps', classifierBytes, limits.classifierBytes, direction);
  const ipSetEntries = context.ipSets.entries();
  if (ipSetEntries.length > limits.ipSetEntries) {
    throw limitError('address-set entries', ipSetEntries.length, limits.ipSetEntries, direction);
  }
  let assembled: AssembledProgram;
  try {
    assembled = assembleInJumpRange(removeUnreachable(source));
  } catch (error) {
    if (isBpfError(error, 'PROGRAM_TOO_LARGE')) throw new DatapathError('COMPILE_LIMIT', `${direction} program: ${error.message}`, { cause: error });
    throw error;
  }
  if (assembled.slotCount > limits.programSlots) {
    throw limitError('instruction slots', assembled.slotCount, limits.programSlots, direction);
  }
  const conditionalJumps = countConditionalJumps(assembled);
  if (conditionalJumps > limits.conditionalJumps) {
    throw limitError('conditional jumps', conditionalJumps, limits.conditionalJumps, direction);
  }

  const rules = policy ? policy.tiers.reduce((n, t) => n + t.policies.reduce((m, p) => m + p.rules.filter((r) => r.terms.length > 0).length, 0), 0) : 0;
  return {
    name: `pal_${direction === 'ingress' ? 'i' : 'e'}${bandwidth ? 'b' : ''}_${tag.toString(16).padStart(8, '0')}`,
    direction,
    hook,
    hash,
    tag,
    assembled,
    slots: context.slots.entries(),
    ipSetEntries,
    ...(context.classifier && { classifier: context.classifier }),
    ...(context.stagedClassifier && { stagedClassifier: context.stagedClassifier }),
    stats: {
      instructions: assembled.slotCount,
      conditionalJumps,
      strategy: context.classifier || context.stagedClassifier ? 'classifier' : 'straight-line',
      rules,
      ruleSlots: context.slots.size,
      ipSets: context.ipSets.count,
      ipSetEntries: ipSetEntries.length,
      longJumps: assembled.longJumps,
      staged: hasStagedPolicies(policy),
      bandwidth,
    },
    dump: () => dump(assembled),
  };
}
