// The map-driven classifier strategy (DESIGN.md "Compile"; bpf-iptables, Miano et al.): per-field
// lookups into bit vectors (classifier-tables.ts), ANDed word by word, first set bit wins. Cost per
// packet is a fixed number of map lookups plus a search over the words that hold candidates, so it
// does not grow with the rule count the way straight-line code does.
//
//   lookups: remote (LPM trie), protocol, dport/ICMP type+code, sport (if any term has srcPorts):
//            each gives a vector index, then a pointer to the vector (spilled to the stack)
//   search:  p = 0 (bit position, R7)
//     loop:  w = p / 64; v = AND of the vectors' word w, bits below p masked off
//            v != 0: bit = w*64 + ctz(v) -> cls_slots[bit] = {kind, rule slot, next}
//                    Allow/Deny: decide (rule slot -> State.ruleSlot); Log: count + event, p = next
//                    (after the rule's last term); Pass (rule, or a tier default of Pass): count,
//                    p = next (the next tier's first bit / the bit after the default)
//            v == 0: the next word whose summary bits AND to non-zero (skipping empty words), p =
//                    that word's first bit
//   Every enforced tier ends with an always-set default bit (Deny or Pass), and the last bit is an
//   always-set "every tier passed: allow", so the search always ends in a decision.
//
// Loops are `may_goto` loops (BPF_JMP | BPF_JCOND, kernel 6.9+): the verifier accepts a loop whose
// state converges, and the kernel bounds it at run time (8M iterations). The search state lives in
// R7 (callee-saved, survives the counter and ring-buffer helpers); the vector pointers on the stack.
// An impossible outcome (a lookup miss, the loop budget spent) denies with NO_SLOT: fail closed.
//
// A term with `except` terms: they have bits of their own (after the final allow bit); before the
// term's action, each is tested in the same ANDed words (R7: the except bit, the next one read from
// its cls_slots entry, so the loop state converges for the verifier), and one that matches fails
// the term: the search resumes at the bit after it.
//
// The staged evaluation ("would have been") runs the same search over tables of its own (maps
// clss_*), writes State.stagedSlot, and neither counts nor emits events (Log and Pass just
// continue), as the straight-line staged block does; it runs after the enforced verdict is stored,
// so it cannot change it.
import {
  add64,
  and64,
  call,
  instruction,
  ja,
  jeq,
  jge,
  jne,
  label,
  ld,
  ldx,
  lsh64,
  mov64,
  mul64,
  neg64,
  note,
  or64,
  type ProgramSource,
  R0,
  R1,
  R2,
  R3,
  R4,
  R5,
  R7,
  R10,
  rsh64,
  st,
  stx,
  sub64,
  xor64,
} from '../../../bpf/asm/index.ts';
import { Helper } from '../../../bpf/kernel/constants.ts';
import type { DirectionPolicy } from '../../../policy/evaluation/endpoint-policy.ts';
import { FlowKind, NO_SLOT } from '../layouts.ts';
import { CLASSIFIER_MAP_REFS, type ClassifierMapRefs, loadMap, type MapRef } from '../map-refs.ts';
import { BitKind, buildClassifier, DPORT_BASE, ICMP_BASE, PROTO_BASE } from './classifier-tables.ts';
import { at, countRule, emitFlowEvent, R_STATE, statePointer } from './conventions.ts';
import type { EvaluationBlock, EvaluationStrategy, StrategyContext } from './evaluation.ts';
import { IpProto } from './parse.ts';

/** may_goto: jump to `target` when the loop budget is spent (BPF_JMP | BPF_JCOND | BPF_K, src 0). */
const mayGoto = (target: string) => instruction({ opcode: 0x05 | 0xe0, target });

const KEY = -8;
/** The bit being decided, while its excepts are tested. */
const BIT = -48;
const SPILLS = { remote: -16, proto: -24, port: -32, sport: -40 } as const;

/**
 * R0 = the vector pointer for keys[R1]; on a miss, `fail`. A stored 0 means the field's default
 * vector (classifier-tables.ts `stored`), resolved without a branch: index = v - 1 + (v == 0) * (default + 1).
 */
function vectorOfKey(maps: ClassifierMapRefs, fallback: number, fail: string): ProgramSource {
  return [
    stx.w(R10, R1, KEY),
    lookup(maps.keys, fail),
    ldx.w(R1, R0, 0),
    mov64.reg(R2, R1),
    neg64(R2),
    or64.reg(R2, R1),
    rsh64.imm(R2, 63),
    xor64.imm(R2, 1),
    mul64.imm(R2, fallback + 1),
    add64.reg(R1, R2),
    sub64.imm(R1, 1),
    vectorOfIndex(maps, fail),
  ];
}

function lookup(map: MapRef, fail: string): ProgramSource {
  return [loadMap(R1, map), mov64.reg(R2, R10), add64.imm(R2, KEY), call(Helper.map_lookup_elem), jeq.imm(R0, 0, fail)];
}

/** R0 = vectors[R1]. */
function vectorOfIndex(maps: ClassifierMapRefs, fail: string): ProgramSource {
  return [stx.w(R10, R1, KEY), lookup(maps.vectors, fail)];
}

/** R4 = index of the lowest set bit of R3 (R3 != 0): popcount((x & -x) - 1). Clobbers R0, R5. */
function ctz(): ProgramSource {
  return [
    mov64.reg(R4, R3),
    neg64(R4),
    and64.reg(R4, R3),
    sub64.imm(R4, 1),
    mov64.reg(R5, R4),
    rsh64.imm(R5, 1),
    ld.imm64(R0, 0x5555_5555_5555_5555n),
    and64.reg(R5, R0),
    sub64.reg(R4, R5),
    ld.imm64(R0, 0x3333_3333_3333_3333n),
    mov64.reg(R5, R4),
    and64.reg(R5, R0),
    rsh64.imm(R4, 2),
    and64.reg(R4, R0),
    add64.reg(R4, R5),
    mov64.reg(R5, R4),
    rsh64.imm(R5, 4),
    add64.reg(R4, R5),
    ld.imm64(R0, 0x0f0f_0f0f_0f0f_0f0fn),
    and64.reg(R4, R0),
    ld.imm64(R0, 0x0101_0101_0101_0101n),
    mul64.reg(R4, R0),
    rsh64.imm(R4, 56),
  ];
}

/** R3 = AND over the vectors of the u64 at byte offset R1; then bits below R7 & 63 cleared. */
function andWords(spills: readonly number[]): ProgramSource {
  return [
    mov64.imm(R3, -1),
    spills.map((off) => [ldx.dw(R2, R10, off), add64.reg(R2, R1), ldx.dw(R2, R2, 0), and64.reg(R3, R2)]),
    mov64.reg(R4, R7),
    and64.imm(R4, 63),
    mov64.imm(R5, -1),
    lsh64.reg(R5, R4),
    and64.reg(R3, R5),
  ];
}

export const classifier: EvaluationStrategy = {
  name: 'classifier',
  generate(policy: DirectionPolicy, block: EvaluationBlock, context: StrategyContext): ProgramSource {
    const { mode } = block;
    const tables = buildClassifier(policy, context.slots, mode);
    if (mode === 'enforced') context.classifier = tables;
    else context.stagedClassifier = tables;
    const maps = CLASSIFIER_MAP_REFS[mode];
    const slotField = mode === 'enforced' ? 'ruleSlot' : 'stagedSlot';
    const l = (n: string) => `${block.labelPrefix}cls_${n}`;
    const fail = l('fail');
    const spills = [SPILLS.remote, SPILLS.proto, SPILLS.port, ...(tables.hasSport ? [SPILLS.sport] : [])];
    const dataOffset = tables.summaryWords * 8;

    const portKey: ProgramSource = tables.hasIcmp
      ? [
          ldx.b(R2, R_STATE, at('proto')),
          jeq.imm(R2, IpProto.ICMP, l('icmp_key')),
          jeq.imm(R2, IpProto.ICMPV6, l('icmp_key')),
          ldx.w(R1, R_STATE, at('dport')),
          add64.imm(R1, DPORT_BASE),
          ja(l('port_key')),
          label(l('icmp_key')),
          ldx.b(R1, R_STATE, at('icmpType')),
          lsh64.imm(R1, 8),
          ldx.b(R2, R_STATE, at('icmpCode')),
          or64.reg(R1, R2),
          add64.imm(R1, ICMP_BASE),
          label(l('port_key')),
        ]
      : [ldx.w(R1, R_STATE, at('dport')), add64.imm(R1, DPORT_BASE)];

    return [
      note(`${l('')}: classifier, ${tables.bits} bits in ${tables.words} words, ${tables.vectorCount} vectors, ${tables.remote.count} prefixes`),
      // remote address: the LPM key's set word is the family bit
      ldx.w(R1, R_STATE, at('familyBit')),
      stx.w(R_STATE, R1, at('lpmSet')),
      loadMap(R1, maps.remote),
      statePointer(R2, 'lpmPrefixlen'),
      call(Helper.map_lookup_elem),
      jeq.imm(R0, 0, fail),
      ldx.w(R1, R0, 0),
      vectorOfIndex(maps, fail),
      stx.dw(R10, R0, SPILLS.remote),
      ldx.b(R1, R_STATE, at('proto')),
      add64.imm(R1, PROTO_BASE),
      vectorOfKey(maps, tables.defaults.proto, fail),
      stx.dw(R10, R0, SPILLS.proto),
      portKey,
      vectorOfKey(maps, tables.defaults.port, fail),
      stx.dw(R10, R0, SPILLS.port),
      tables.hasSport
        ? [ldx.w(R1, R_STATE, at('sport')), add64.imm(R1, tables.sportBase), vectorOfKey(maps, tables.defaults.sport, fail), stx.dw(R10, R0, SPILLS.sport)]
        : [],
      mov64.imm(R7, 0),

      label(l('loop')),
      mayGoto(fail),
      mov64.reg(R1, R7),
      rsh64.imm(R1, 6),
      jge.imm(R1, tables.words, fail),
      lsh64.imm(R1, 3),
      add64.imm(R1, dataOffset),
      andWords(spills),
      jne.imm(R3, 0, l('found')),
      // this word has nothing from p on: the next word whose summaries AND to non-zero
      rsh64.imm(R7, 6),
      add64.imm(R7, 1),
      label(l('summary')),
      mayGoto(fail),
      jge.imm(R7, tables.words, fail),
      mov64.reg(R1, R7),
      rsh64.imm(R1, 6),
      lsh64.imm(R1, 3),
      andWords(spills),
      jne.imm(R3, 0, l('summary_found')),
      or64.imm(R7, 63),
      add64.imm(R7, 1),
      ja(l('summary')),
      label(l('summary_found')),
      ctz(),
      and64.imm(R7, -64),
      add64.reg(R7, R4),
      lsh64.imm(R7, 6),
      ja(l('loop')),

      label(l('found')),
      ctz(),
      and64.imm(R7, -64),
      add64.reg(R7, R4),
      stx.w(R10, R7, KEY),
      stx.w(R10, R7, BIT),
      lookup(maps.slots, fail),
      ldx.w(R7, R0, 12),
      jeq.imm(R7, 0, l('act')),
      note('the term has excepts: one that matches fails the term, and the search goes on at the next bit'),
      label(l('except')),
      mayGoto(fail),
      mov64.reg(R1, R7),
      rsh64.imm(R1, 6),
      jge.imm(R1, tables.words, fail),
      lsh64.imm(R1, 3),
      add64.imm(R1, dataOffset),
      mov64.imm(R3, -1),
      spills.map((off) => [ldx.dw(R2, R10, off), add64.reg(R2, R1), ldx.dw(R2, R2, 0), and64.reg(R3, R2)]),
      mov64.reg(R4, R7),
      and64.imm(R4, 63),
      rsh64.reg(R3, R4),
      and64.imm(R3, 1),
      jne.imm(R3, 0, l('except_hit')),
      note("the term's next except bit (chained through cls_slots, 0 after the last)"),
      stx.w(R10, R7, KEY),
      lookup(maps.slots, fail),
      ldx.w(R7, R0, 8),
      jne.imm(R7, 0, l('except')),
      ldx.w(R7, R10, BIT),
      stx.w(R10, R7, KEY),
      lookup(maps.slots, fail),
      ja(l('act')),
      label(l('except_hit')),
      ldx.w(R7, R10, BIT),
      add64.imm(R7, 1),
      ja(l('loop')),
      label(l('act')),
      ldx.w(R7, R0, 8),
      ldx.w(R2, R0, 4),
      stx.w(R_STATE, R2, at(slotField)),
      ldx.w(R1, R0, 0),
      jeq.imm(R1, BitKind.ALLOW, block.allowLabel),
      jeq.imm(R1, BitKind.DENY, block.denyLabel),
      mode === 'enforced'
        ? [
            jeq.imm(R1, BitKind.LOG, l('log')),
            countRule(l('pass_count'), { fromField: 'ruleSlot' }),
            ja(l('loop')),
            label(l('log')),
            countRule(l('log_count'), { fromField: 'ruleSlot' }),
            emitFlowEvent(l('log_event'), FlowKind.LOGGED),
          ]
        : note('staged: Log and Pass continue without side effects'),
      ja(l('loop')),

      label(fail),
      note('classifier: a lookup missed or the loop budget ran out (cannot happen): deny'),
      st.w(R_STATE, NO_SLOT, at(slotField)),
      ja(block.denyLabel),
    ];
  },
};
