// The straight-line strategy: one block of code per rule and per term, in evaluation order, as
// Calico's polprog lays it out:
//
//   tier_0:                          ; tier name, order, default
//   rule_3:                          ; tier/policy[rule] Action: summary
//     r2 = (proto ^ 6) | (dport outside 80-81)      ; no branches (also IP version, ICMP, sport)
//     if r2 != 0 goto rule_3_term_0_no_match
//     lpm lookup (set, family, remote) -> none or hole: goto rule_3_term_0_no_match
//     (each except k of the term: its checks, failing to rule_3_term_0_except_k_clear;
//      all passed: goto rule_3_term_0_no_match; rule_3_term_0_except_k_clear:)
//     goto rule_3_match
//   rule_3_term_0_no_match:
//     ... next term; the last one falls through to rule_3_no_match on failure
//   rule_3_match:
//     Allow/Deny: slot -> state, goto allow/deny;  Pass: count, goto end_of_tier_0;
//     Log: count, flow event, fall through
//   rule_3_no_match:
//   ...
//   (tier default: Deny -> deny with the default's slot; Pass -> count, fall through)
//   end_of_tier_0:
//   ...
//   no tier decided: allow
//
// No register carries a value across a rule boundary (see conventions.ts), so the verifier sees one
// state per rule and the verified instruction count stays about the program's length.
import {
  and64,
  call,
  ja,
  jeq,
  jne,
  label,
  ldx,
  mov64,
  note,
  or32,
  or64,
  type ProgramSource,
  R0,
  R1,
  R2,
  R3,
  R4,
  R5,
  rsh64,
  st,
  stx,
  sub64,
  xor64,
} from '../../../bpf/asm/index.ts';
import { Helper } from '../../../bpf/kernel/constants.ts';
import type { DirectionPolicy, MatchTerm, PortRange, ResolvedPolicy, ResolvedRule, ResolvedTier } from '../../../policy/evaluation/endpoint-policy.ts';
import { isMatchAll } from '../../../policy/evaluation/terms.ts';
import type { Protocol } from '../../../policy/ir.ts';
import { FlowKind, NO_SLOT } from '../layouts.ts';
import { loadMap } from '../map-refs.ts';
import { at, countRule, emitFlowEvent, R_STATE, statePointer } from './conventions.ts';
import { describeRule } from './describe.ts';
import type { EvaluationBlock, EvaluationStrategy, StrategyContext } from './evaluation.ts';
import { setWord } from './ip-sets.ts';
import { IpProto } from './parse.ts';

export const PROTOCOL_NUMBER: Readonly<Record<Protocol, number>> = {
  TCP: IpProto.TCP,
  UDP: IpProto.UDP,
  SCTP: IpProto.SCTP,
  ICMP: IpProto.ICMP,
  ICMPv6: IpProto.ICMPV6,
};

interface Emit {
  block: EvaluationBlock;
  context: StrategyContext;
  /** State field holding the deciding slot. */
  slotField: 'ruleSlot' | 'stagedSlot';
  l(name: string): string;
}

/**
 * Port ranges of a state field into R2 without branches: ORs 1 into R2 when the field's value is
 * outside every range. A range [f, l] misses when v - f < 0 or l - v < 0 (64-bit, the values are
 * below 2^17): the OR of the two differences has its sign bit set exactly then. Ranges are ORed, so
 * their miss bits (0/1) are ANDed. Protocols without ports carry NO_PORT, outside every range.
 */
function portRanges(field: 'dport' | 'sport', ranges: readonly PortRange[]): ProgramSource {
  const code: ProgramSource[] = [ldx.w(R1, R_STATE, at(field))];
  const [only] = ranges;
  if (ranges.length === 1 && only!.first === only!.last) {
    code.push(mov64.reg(R3, R1), xor64.imm(R3, only!.first), or64.reg(R2, R3));
    return code;
  }
  code.push(mov64.imm(R5, 1));
  for (const range of ranges) {
    code.push(
      mov64.reg(R3, R1),
      sub64.imm(R3, range.first), // v - f
      mov64.imm(R4, range.last - range.first),
      sub64.reg(R4, R3), // l - v
      or64.reg(R3, R4),
      rsh64.imm(R3, 63), // 1: outside this range
      and64.reg(R5, R3),
    );
  }
  code.push(or64.reg(R2, R5));
  return code;
}

/** R2 |= (byte field of the state) ^ value: non-zero unless equal. */
function byteEquals(field: 'proto' | 'family' | 'icmpType' | 'icmpCode', value: number): ProgramSource {
  return [ldx.b(R1, R_STATE, at(field)), xor64.imm(R1, value), or64.reg(R2, R1)];
}

/** Whether a term has conditions besides its remote set (checked without branches). */
function hasCheapChecks(term: MatchTerm): boolean {
  return (
    term.protocol !== 'any' ||
    term.ports !== 'any' ||
    term.protocolNumber !== undefined ||
    term.ipVersion !== undefined ||
    term.icmp !== undefined ||
    term.srcPorts !== undefined
  );
}

/**
 * Protocol, IP version, ICMP type/code, destination and source ports of a term, without branches:
 * R2 ends 0 when all match, non-zero otherwise, and one conditional jump tests it. Branches are what
 * the verifier's depth-first walk keeps pending (limits.ts MAX_CONDITIONAL_JUMPS), so a term costs
 * one, not one per condition.
 */
function cheapChecks(term: MatchTerm): ProgramSource {
  const code: ProgramSource[] = term.protocol !== 'any' ? [ldx.b(R2, R_STATE, at('proto')), xor64.imm(R2, PROTOCOL_NUMBER[term.protocol])] : [mov64.imm(R2, 0)];
  if (term.protocolNumber !== undefined) code.push(byteEquals('proto', term.protocolNumber));
  if (term.ipVersion !== undefined) code.push(byteEquals('family', term.ipVersion));
  if (term.icmp) {
    code.push(byteEquals('icmpType', term.icmp.type));
    if (term.icmp.code !== undefined) code.push(byteEquals('icmpCode', term.icmp.code));
  }
  if (term.ports !== 'any') code.push(portRanges('dport', term.ports));
  if (term.srcPorts) code.push(portRanges('sport', term.srcPorts));
  return code;
}

/** Positive checks of one term (no excepts): jumps to `fail` when the packet does not match, falls through when it does. */
function positiveChecks(emit: Emit, term: MatchTerm, fail: string): ProgramSource {
  const code: ProgramSource[] = [];
  if (term.remote !== 'any' && term.remote.length === 0) return [ja(fail)];
  if (hasCheapChecks(term)) {
    // cheap checks first: a packet of another protocol or port never pays for the set lookup
    code.push(cheapChecks(term), jne.imm(R2, 0, fail));
  }
  if (term.remote !== 'any') {
    const set = emit.context.ipSets.indexOf(term.remote);
    code.push(
      ldx.w(R1, R_STATE, at('familyBit')),
      or32.imm(R1, setWord(set, 4)),
      stx.w(R_STATE, R1, at('lpmSet')),
      loadMap(R1, 'ipsets'),
      statePointer(R2, 'lpmPrefixlen'),
      call(Helper.map_lookup_elem),
      jeq.imm(R0, 0, fail),
      ldx.b(R1, R0, 0),
      jeq.imm(R1, 0, fail), // the longest match is a hole of the set
    );
  }
  return code;
}

/**
 * Checks of one term: its positive conditions, then each except (a packet matching one fails the
 * term). Jumps to `fail` when the packet does not match, falls through when it does. `name` makes
 * the except labels unique.
 */
function termChecks(emit: Emit, term: MatchTerm, fail: string, name: string): ProgramSource {
  const code: ProgramSource[] = [positiveChecks(emit, term, fail)];
  (term.except ?? []).forEach((except, k) => {
    const clear = `${name}_except_${k}_clear`;
    code.push(positiveChecks(emit, except, clear), ja(fail), label(clear));
  });
  return code;
}

function ruleCode(emit: Emit, tier: ResolvedTier, tierIndex: number, policy: ResolvedPolicy, rule: ResolvedRule): ProgramSource {
  const { block, context } = emit;
  const slot = context.slots.slotOf({ tier: tier.name, policyId: policy.id, ruleIndex: rule.index, action: rule.action }, policy.staged);
  const name = emit.l(`rule_${slot}`);
  const header = note(`${name}: ${tier.name}/${policy.id}[${rule.index}]${policy.staged ? ' (staged)' : ''} ${rule.action}: ${describeRule(rule)}`);
  if (rule.terms.length === 0) return header; // matches no packet: no code
  const match = `${name}_match`;
  const noMatch = `${name}_no_match`;

  const checks: ProgramSource[] = [];
  if (!rule.terms.some(isMatchAll)) {
    rule.terms.forEach((term, j) => {
      const last = j === rule.terms.length - 1;
      const fail = last ? noMatch : `${name}_term_${j}_no_match`;
      checks.push(termChecks(emit, term, fail, `${name}_term_${j}`));
      if (!last) checks.push(ja(match), label(fail));
    });
  }

  const action: ProgramSource[] = [];
  const enforced = block.mode === 'enforced';
  switch (rule.action) {
    case 'Allow':
    case 'Deny':
      action.push(st.w(R_STATE, slot, at(emit.slotField)), ja(rule.action === 'Allow' ? block.allowLabel : block.denyLabel));
      break;
    case 'Pass':
      if (enforced) action.push(countRule(`${name}_count`, { slot }));
      action.push(ja(emit.l(`end_of_tier_${tierIndex}`)));
      break;
    case 'Log':
      if (enforced) {
        action.push(countRule(`${name}_count`, { slot }), st.w(R_STATE, slot, at('ruleSlot')), emitFlowEvent(`${name}_event`, FlowKind.LOGGED));
      }
      break;
  }
  return [header, label(name), checks, label(match), action, label(noMatch)];
}

function tierCode(emit: Emit, tier: ResolvedTier, tierIndex: number, policies: readonly ResolvedPolicy[]): ProgramSource {
  const { block, context } = emit;
  const rules = policies.map((policy) => policy.rules.map((rule) => ruleCode(emit, tier, tierIndex, policy, rule)));
  const last = policies[policies.length - 1]!;
  const defaultSlot = context.slots.slotOf({ tier: tier.name, policyId: last.id, ruleIndex: 'default', action: tier.defaultAction }, last.staged);
  const name = emit.l(`tier_${tierIndex}`);
  const fallback: ProgramSource =
    tier.defaultAction === 'Deny'
      ? [st.w(R_STATE, defaultSlot, at(emit.slotField)), ja(block.denyLabel)]
      : block.mode === 'enforced'
        ? countRule(`${name}_default_count`, { slot: defaultSlot })
        : [];
  return [
    note(`${name}: ${tier.name} (order ${tier.order}, default ${tier.defaultAction}, ${policies.length} policies)`),
    label(name),
    rules,
    note(`${name}: no rule decided, default ${tier.defaultAction} (slot ${defaultSlot})`),
    fallback,
    label(emit.l(`end_of_tier_${tierIndex}`)),
  ];
}

export const straightLine: EvaluationStrategy = {
  name: 'straight-line',
  generate(policy: DirectionPolicy, block: EvaluationBlock, context: StrategyContext): ProgramSource {
    const emit: Emit = {
      block,
      context,
      slotField: block.mode === 'enforced' ? 'ruleSlot' : 'stagedSlot',
      l: (n) => `${block.labelPrefix}${n}`,
    };
    const tiers = policy.tiers.map((tier, index) => {
      // staged: every policy but the enforced ones a staged policy replaces (stagedOut)
      const policies = tier.policies.filter((p) => (block.mode === 'enforced' ? !p.staged : !p.stagedOut));
      return { tier, index, policies };
    });
    return [
      tiers.filter((t) => t.policies.length > 0).map((t) => tierCode(emit, t.tier, t.index, t.policies)),
      note(emit.l('every tier passed: allow')),
      st.w(R_STATE, NO_SLOT, at(emit.slotField)),
      ja(block.allowLabel),
    ];
  },
};
