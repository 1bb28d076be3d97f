// Register and memory conventions every code fragment of a policy program follows, and the small
// emitters they share (counters, stats, flow events, verdicts).
//
//   R6  the skb (struct __sk_buff *), for the whole program
//   R9  the per-packet state (layouts.ts State, a per-CPU map value), from the prologue on
//   R0-R5, R7, R8  scratch; R1-R5 are clobbered by every helper call
//
// Fragments never keep a value in a register across a label another fragment jumps to: what must
// survive lives in the state. That is what lets the verifier prune at every rule boundary.
import { add64, call, exit, jeq, label, ldx, mov64, type ProgramSource, R0, R1, R2, R3, R4, R9, type Register, st, stx } from '../../../bpf/asm/index.ts';
import { Helper, Tcx } from '../../../bpf/kernel/constants.ts';
import { FLOW_EVENT_SIZE, RuleCounter, Stat, State, type StatReason } from '../layouts.ts';
import { loadMap } from '../map-refs.ts';

export const R_CTX: Register = 6;
export const R_STATE: Register = R9;

type StateField = Parameters<typeof State.offsetOf>[0];

/** Offset of a State field from R_STATE. */
export const at = (field: StateField): number => State.offsetOf(field);

/**
 * Return codes. Allow is TCX_NEXT, not TCX_PASS: our verdict is "policy has no objection", and a
 * program after ours in the interface's tcx chain (or a classic tc filter) still gets its say; the
 * last one's NEXT means pass. Same number (TC_ACT_UNSPEC) for the cls_bpf fallback.
 */
export const Ret = { ALLOW: Tcx.NEXT, DROP: Tcx.DROP } as const;

/** bpf_skb_pull_data (not in bpf/kernel/constants.ts's list). */
export const HELPER_SKB_PULL_DATA = 39;

export function returnWith(code: number): ProgramSource {
  return [mov64.imm(R0, code), exit()];
}

/** dst = R_STATE + offset of `field` (a pointer into the state for helper arguments). */
export function statePointer(dst: Register, field: StateField): ProgramSource {
  return [mov64.reg(dst, R_STATE), add64.imm(dst, at(field))];
}

export type CounterKey = { slot: number } | { fromField: 'ruleSlot' };

/**
 * Count one packet (and its bytes) for a rule slot in the per-program counters. A slot outside the
 * array (NO_SLOT) finds nothing and counts nothing. The key goes through State.mapKey: a key in map
 * memory is never a constant to the verifier, so counting does not split its states by slot.
 */
export function countRule(name: string, key: CounterKey): ProgramSource {
  const done = `${name}_done`;
  return [
    'slot' in key ? st.w(R_STATE, key.slot, at('mapKey')) : [ldx.w(R1, R_STATE, at(key.fromField)), stx.w(R_STATE, R1, at('mapKey'))],
    loadMap(R1, 'counters'),
    statePointer(R2, 'mapKey'),
    call(Helper.map_lookup_elem),
    jeq.imm(R0, 0, done),
    ldx.dw(R1, R0, RuleCounter.offsetOf('packets')),
    add64.imm(R1, 1),
    stx.dw(R0, R1, RuleCounter.offsetOf('packets')),
    ldx.w(R2, R_STATE, at('bytes')),
    ldx.dw(R1, R0, RuleCounter.offsetOf('bytes')),
    add64.reg(R1, R2),
    stx.dw(R0, R1, RuleCounter.offsetOf('bytes')),
    label(done),
  ];
}

/** Count one packet under a node-wide stat reason. */
export function countStat(name: string, reason: StatReason): ProgramSource {
  const done = `${name}_done`;
  return [
    st.w(R_STATE, Stat[reason], at('mapKey')),
    loadMap(R1, 'stats'),
    statePointer(R2, 'mapKey'),
    call(Helper.map_lookup_elem),
    jeq.imm(R0, 0, done),
    ldx.dw(R1, R0, 0),
    add64.imm(R1, 1),
    stx.dw(R0, R1, 0),
    label(done),
  ];
}

/** Send the state's flow event (kind set here, the rest filled in already); a full ring is counted. */
export function emitFlowEvent(name: string, kind: number): ProgramSource {
  const sent = `${name}_sent`;
  return [
    st.b(R_STATE, kind, at('kind')),
    loadMap(R1, 'flows'),
    mov64.reg(R2, R_STATE),
    mov64.imm(R3, FLOW_EVENT_SIZE),
    mov64.imm(R4, 0),
    call(Helper.ringbuf_output),
    jeq.imm(R0, 0, sent),
    countStat(`${name}_lost`, 'events_lost'),
    label(sent),
  ];
}
