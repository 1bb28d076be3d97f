// IP fragments. Only the first fragment of a datagram carries the transport header, so only it can
// be matched against ports. Verdict, as Cilium does it: the first fragment goes through conntrack
// and policy like any packet and, when admitted, records the datagram (addresses, protocol,
// identification) in the fragments map; a later fragment passes only if its datagram is recorded
// there (and not older than FRAGMENT_TIMEOUT_NS), and is dropped otherwise (counted
// fragment_orphan). So a fragmented datagram gets exactly its first fragment's verdict.
//
// Why not "treat later fragments as port-less": they would fall to the tier default of any policy
// with port rules, which drops every fragmented datagram of an allowed flow (large UDP, DNS with
// EDNS). Why not "pass them": a later fragment could then carry anything past a deny.
// Limitation: fragments arriving before their first fragment are dropped (the pod's stack sends
// them in order; reordering on a veth does not happen).
import { call, ja, jeq, jne, jsgt, label, ld, ldx, mov64, note, type ProgramSource, R0, R1, R2, R3, R4, stx, sub64 } from '../../../bpf/asm/index.ts';
import { Helper } from '../../../bpf/kernel/constants.ts';
import { Fragment } from '../layouts.ts';
import { FRAGMENT_TIMEOUT_NS } from '../limits.ts';
import { loadMap } from '../map-refs.ts';
import { BANDWIDTH_LABEL } from './bandwidth.ts';
import { at, countStat, R_STATE, Ret, returnWith, statePointer } from './conventions.ts';

/** Turn the state's conntrack key into the fragment key: fragment protocol, identification for ports. */
function fragmentKey(): ProgramSource {
  return [
    ldx.b(R1, R_STATE, at('fragmentProto')),
    stx.b(R_STATE, R1, at('proto')),
    ldx.w(R1, R_STATE, at('fragmentId')),
    stx.w(R_STATE, R1, at('lport')), // lport and rport: 4 bytes
  ];
}

/**
 * A later fragment: admitted only when its first fragment was. With `bandwidth` an admitted one is
 * charged like any allowed packet (it carries the datagram's bytes).
 */
export function laterFragment(bandwidth: boolean): ProgramSource {
  return [
    label('fragment_later'),
    note('later fragment: the verdict of its first fragment'),
    fragmentKey(),
    loadMap(R1, 'fragments'),
    statePointer(R2, 'ifindex'),
    call(Helper.map_lookup_elem),
    jeq.imm(R0, 0, 'fragment_orphan'),
    ldx.dw(R1, R0, 0),
    ldx.dw(R2, R_STATE, at('ts')),
    sub64.reg(R2, R1),
    ld.imm64(R3, FRAGMENT_TIMEOUT_NS),
    jsgt.reg(R2, R3, 'fragment_orphan'),
    countStat('stat_fragment_admitted', 'fragment_admitted'),
    bandwidth ? ja(BANDWIDTH_LABEL) : returnWith(Ret.ALLOW),
    label('fragment_orphan'),
    countStat('stat_fragment_orphan', 'fragment_orphan'),
    returnWith(Ret.DROP),
  ];
}

/** After an admitted first fragment: record its datagram. Falls through when not a first fragment. */
export function recordFirstFragment(): ProgramSource {
  return [
    label('record_fragment'),
    ldx.b(R1, R_STATE, at('fragment')),
    jne.imm(R1, Fragment.FIRST, 'fragment_recorded'),
    fragmentKey(),
    loadMap(R1, 'fragments'),
    statePointer(R2, 'ifindex'),
    statePointer(R3, 'ts'), // the value: when it was admitted
    mov64.imm(R4, 0),
    call(Helper.map_update_elem),
    label('fragment_recorded'),
  ];
}
