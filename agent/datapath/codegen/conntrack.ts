// Conntrack: two LRU hashes for the node, IPv4 (`conntrack`, layouts.ts CtKey4) and IPv6
// (`conntrack6`, CtKey), keyed per endpoint interface and direction-normalised 5-tuple. A packet of a
// flow this endpoint already admitted, either way (the reply too), passes without policy; a new flow
// is evaluated and, if allowed, recorded. Two tables because an IPv4 entry is 88 bytes against 112
// with 16-byte addresses: what a new flow pays is cold cache lines in a table that does not fit the
// caches (agent/datapath/README.md, "What a new flow costs").
//
// TCP, kept simple but correct:
// - an entry is created by any allowed packet except one carrying RST (an RST opens nothing; an
//   allowed mid-stream packet does create one, so connections that predate the program are picked
//   up, as Calico and Cilium do);
// - every hit refreshes `lastSeen`; FIN and RST bits seen are ORed into `flags`, which shortens the
//   timeout to CT_TIMEOUT_TCP_CLOSING_NS;
// - a SYN without ACK on a closing entry is a new connection reusing the ports: evaluated as new;
// - an entry idle longer than its timeout (bpf_ktime_get_ns) admits nothing: the packet is
//   evaluated as new, and re-recorded if allowed. The LRU evicts the least recently used entries
//   when the map is full.
import {
  and64,
  call,
  ja,
  jeq,
  jne,
  jset,
  jsgt,
  label,
  ld,
  ldx,
  mov64,
  note,
  or32,
  type ProgramSource,
  R0,
  R1,
  R2,
  R3,
  R4,
  R5,
  st,
  stx,
  sub64,
} from '../../../bpf/asm/index.ts';
import { Helper } from '../../../bpf/kernel/constants.ts';
import { CtFlag, CtKey4, CtValue } from '../layouts.ts';
import { CT_TIMEOUT_OTHER_NS, CT_TIMEOUT_TCP_CLOSING_NS, CT_TIMEOUT_TCP_NS } from '../limits.ts';
import { loadMap } from '../map-refs.ts';
import { at, R_STATE, statePointer } from './conventions.ts';
import { IpProto } from './parse.ts';

const TCP_SYN = 0x02;
const TCP_ACK = 0x10;

const IPV4 = 4;

/** The IPv4 key (CtKey4) from the state's CtKey: its first 12 bytes, then the two addresses. */
function ipv4Key(): ProgramSource {
  return [
    ldx.dw(R1, R_STATE, at('ifindex')), // ifindex, proto, family, pad
    stx.dw(R_STATE, R1, at('ct4Key') + CtKey4.offsetOf('ifindex')),
    ldx.w(R1, R_STATE, at('lport')), // lport, rport
    stx.w(R_STATE, R1, at('ct4Key') + CtKey4.offsetOf('lport')),
    ldx.w(R1, R_STATE, at('local')),
    stx.w(R_STATE, R1, at('ct4Key') + CtKey4.offsetOf('local')),
    ldx.w(R1, R_STATE, at('remote')),
    stx.w(R_STATE, R1, at('ct4Key') + CtKey4.offsetOf('remote')),
  ];
}

/**
 * `helper` on the packet's table: R1 and R2 (map, key) set here after `args` (R3, R4), `ipv4First`
 * on the IPv4 side before them. One call per table, not one call after a join: a helper call that
 * sees two maps loses the verifier's direct call to the map's own function (BPF_MAP_PTR_POISON).
 */
function perFamily(name: string, helper: number, args: ProgramSource, ipv4First: ProgramSource = []): ProgramSource {
  return [
    ldx.b(R1, R_STATE, at('family')),
    jne.imm(R1, IPV4, `${name}_6`),
    ipv4First,
    args,
    loadMap(R1, 'conntrack'),
    statePointer(R2, 'ct4Key'),
    call(helper),
    ja(`${name}_done`),
    label(`${name}_6`),
    args,
    loadMap(R1, 'conntrack6'),
    statePointer(R2, 'ifindex'),
    call(helper),
    label(`${name}_done`),
  ];
}

/** Lookup; a live entry goes to `allow_established`, anything else to `policy`. */
export function conntrackLookup(): ProgramSource {
  return [
    label('conntrack'),
    note('conntrack: a flow this endpoint admitted before passes without policy'),
    perFamily('ct_lookup', Helper.map_lookup_elem, [], ipv4Key()),
    jeq.imm(R0, 0, 'policy'),
    ldx.dw(R1, R0, CtValue.offsetOf('lastSeen')),
    ldx.dw(R2, R_STATE, at('ts')),
    sub64.reg(R2, R1), // age
    ldx.w(R3, R0, CtValue.offsetOf('flags')),
    ldx.b(R4, R_STATE, at('proto')),
    jne.imm(R4, IpProto.TCP, 'ct_timeout_other'),
    jset.imm(R3, CtFlag.FIN | CtFlag.RST, 'ct_tcp_closing'),
    ld.imm64(R5, CT_TIMEOUT_TCP_NS),
    ja('ct_check_age'),
    label('ct_tcp_closing'),
    ld.imm64(R5, CT_TIMEOUT_TCP_CLOSING_NS),
    ldx.b(R1, R_STATE, at('tcpFlags')),
    and64.imm(R1, TCP_SYN | TCP_ACK),
    jeq.imm(R1, TCP_SYN, 'policy'), // a new connection on the same ports
    ja('ct_check_age'),
    label('ct_timeout_other'),
    ld.imm64(R5, CT_TIMEOUT_OTHER_NS),
    label('ct_check_age'),
    // signed: another CPU may have stamped the entry a little after our own `ts`
    jsgt.reg(R2, R5, 'policy'),
    ldx.dw(R2, R_STATE, at('ts')),
    stx.dw(R0, R2, CtValue.offsetOf('lastSeen')),
    jne.imm(R4, IpProto.TCP, 'allow_established'),
    ldx.b(R1, R_STATE, at('tcpFlags')),
    and64.imm(R1, CtFlag.FIN | CtFlag.RST),
    jeq.imm(R1, 0, 'allow_established'),
    or32.reg(R3, R1),
    stx.w(R0, R3, CtValue.offsetOf('flags')),
    ja('allow_established'),
  ];
}

/** Record the flow of an allowed new packet (not for a TCP packet carrying RST). */
export function conntrackCreate(tag: number): ProgramSource {
  return [
    note('conntrack: record the allowed flow'),
    ldx.b(R1, R_STATE, at('proto')),
    jne.imm(R1, IpProto.TCP, 'ct_create'),
    ldx.b(R1, R_STATE, at('tcpFlags')),
    jset.imm(R1, CtFlag.RST, 'ct_created'),
    label('ct_create'),
    ldx.dw(R1, R_STATE, at('ts')),
    stx.dw(R_STATE, R1, at('ctLastSeen')),
    st.w(R_STATE, 0, at('ctFlags')),
    st.w(R_STATE, tag, at('ctTag')),
    // the IPv4 key was built by the lookup: every path to policy passes it
    perFamily('ct_update', Helper.map_update_elem, [statePointer(R3, 'ctLastSeen'), mov64.imm(R4, 0)]),
    label('ct_created'),
  ];
}
