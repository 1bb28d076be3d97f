// Conntrack: two node-wide tables keyed per endpoint interface and direction-normalised 5-tuple:
// IPv4 flows (`conntrack`) in a set-associative array the program manages itself (conntrack4.ts says
// how and why), IPv6 flows (`conntrack6`, CtKey) in an LRU hash. A packet of a flow this endpoint
// already admitted, either way (the reply too), passes without policy; a new flow is evaluated and,
// if allowed, recorded. What a new flow pays is cold cache lines in a table that does not fit the
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
//   evaluated as new, and re-recorded if allowed. A full IPv6 table evicts its least recently used
//   entries (the kernel's LRU); a full IPv4 set its expired or least recently seen way.
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
import { CtFlag, CtValue, CtWay4 } from '../layouts.ts';
import { CT_TIMEOUT_OTHER_NS, CT_TIMEOUT_TCP_CLOSING_NS, CT_TIMEOUT_TCP_NS } from '../limits.ts';
import { loadMap } from '../map-refs.ts';
import { conntrack4Lookup, conntrack4Record } from './conntrack4.ts';
import { at, R_STATE, statePointer } from './conventions.ts';
import { IpProto } from './parse.ts';

const TCP_SYN = 0x02;
const TCP_ACK = 0x10;

const IPV4 = 4;

/** Where an entry keeps lastSeen and flags, and how wide `flags` is. */
interface EntryFields {
  lastSeen: number;
  flags: number;
  flagsStore: typeof stx.w;
}
const IPV6_ENTRY: EntryFields = { lastSeen: CtValue.offsetOf('lastSeen'), flags: CtValue.offsetOf('flags'), flagsStore: stx.w };
const IPV4_ENTRY: EntryFields = { lastSeen: CtWay4.offsetOf('lastSeen'), flags: CtWay4.offsetOf('flags'), flagsStore: stx.b };

/**
 * A found entry (R0 it, R1 its lastSeen, R3 its flags): alive under its timeout goes to
 * `allow_established` with lastSeen refreshed and FIN/RST noted; anything else to `policy`.
 */
function checkEntry(p: string, entry: EntryFields): ProgramSource {
  const l = (name: string) => `${p}_${name}`;
  return [
    ldx.dw(R2, R_STATE, at('ts')),
    sub64.reg(R2, R1), // age
    ldx.b(R4, R_STATE, at('proto')),
    jne.imm(R4, IpProto.TCP, l('timeout_other')),
    jset.imm(R3, CtFlag.FIN | CtFlag.RST, l('tcp_closing')),
    ld.imm64(R5, CT_TIMEOUT_TCP_NS),
    ja(l('check_age')),
    label(l('tcp_closing')),
    ld.imm64(R5, CT_TIMEOUT_TCP_CLOSING_NS),
    ldx.b(R1, R_STATE, at('tcpFlags')),
    and64.imm(R1, TCP_SYN | TCP_ACK),
    jeq.imm(R1, TCP_SYN, 'policy'), // a new connection on the same ports
    ja(l('check_age')),
    label(l('timeout_other')),
    ld.imm64(R5, CT_TIMEOUT_OTHER_NS),
    label(l('check_age')),
    // signed: another CPU may have stamped the entry a little after our own `ts`
    jsgt.reg(R2, R5, 'policy'),
    ldx.dw(R2, R_STATE, at('ts')),
    stx.dw(R0, R2, entry.lastSeen),
    jne.imm(R4, IpProto.TCP, 'allow_established'),
    ldx.b(R1, R_STATE, at('tcpFlags')),
    and64.imm(R1, CtFlag.FIN | CtFlag.RST),
    jeq.imm(R1, 0, 'allow_established'),
    or32.reg(R3, R1),
    entry.flagsStore(R0, R3, entry.flags),
    ja('allow_established'),
  ];
}

/** Lookup; a live entry goes to `allow_established`, anything else to `policy`. */
export function conntrackLookup(): ProgramSource {
  return [
    label('conntrack'),
    note('conntrack: a flow this endpoint admitted before passes without policy'),
    ldx.b(R1, R_STATE, at('family')),
    jne.imm(R1, IPV4, 'ct6_lookup'),
    conntrack4Lookup('ct4_found'),
    label('ct4_found'),
    checkEntry('ct4', IPV4_ENTRY),
    label('ct6_lookup'),
    loadMap(R1, 'conntrack6'),
    statePointer(R2, 'ifindex'),
    call(Helper.map_lookup_elem),
    jeq.imm(R0, 0, 'policy'),
    ldx.dw(R1, R0, CtValue.offsetOf('lastSeen')),
    ldx.w(R3, R0, CtValue.offsetOf('flags')),
    checkEntry('ct6', IPV6_ENTRY),
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
    ldx.b(R1, R_STATE, at('family')),
    jne.imm(R1, IPV4, 'ct6_create'),
    // the IPv4 set and way were chosen by the lookup: every path to policy passes it
    conntrack4Record('ct_created'),
    ja('ct_created'),
    label('ct6_create'),
    ldx.dw(R1, R_STATE, at('ts')),
    stx.dw(R_STATE, R1, at('ctLastSeen')),
    st.w(R_STATE, 0, at('ctFlags')),
    st.w(R_STATE, tag, at('ctTag')),
    loadMap(R1, 'conntrack6'),
    statePointer(R2, 'ifindex'),
    statePointer(R3, 'ctLastSeen'),
    mov64.imm(R4, 0),
    call(Helper.map_update_elem),
    label('ct_created'),
  ];
}
