// Parsing: Ethernet, IPv4 / IPv6 (extension headers walked), then TCP, UDP, SCTP, ICMP, ICMPv6.
// Fills the state's conntrack key (direction-normalised), the policy inputs (protocol, destination
// port, address family) and the fragment fields, then falls through to conntrack. Leaves by jumping
// to: `conntrack` (parsed), `fragment_later` (a non-first fragment: no transport header),
// `nd_failsafe`, `non_ip`, or one of the drop exits (prologue.ts dropExits).
//
// Verdicts decided here:
//   EtherType other than IPv4/IPv6 (ARP, LLDP, ...)   pass (counted non_ip_passed)
//   802.1Q / 802.1ad tag in the data                  drop: a veth never carries one (the kernel
//                                                     strips a tag to skb metadata before tc), and
//                                                     passing it unparsed would skip policy
//   truncated or inconsistent header                  drop, counted per layer
//   more than MAX_IPV6_EXT_HEADERS ext headers        drop
//   ICMPv6 ND / MLD (types 130-137, 143)              pass whatever the policy (failsafe: without
//                                                     neighbour discovery the pod's IPv6 breaks)
//
// Registers while parsing: R2 = data, R3 = data_end, R1 = the header being parsed, R5 = next
// protocol, R8 = IPv6 header offset; R0, R4, R7 scratch. Every read is preceded by a bounds check
// against R3 on the same pointer, the form the verifier accepts; header lengths read from the
// packet are bounded by construction (IHL 4 bits, extension header length 8 bits) so variable
// offsets stay verifiable.
import {
  add64,
  and64,
  end,
  ja,
  jeq,
  jgt,
  jlt,
  jne,
  jset,
  label,
  ldx,
  lsh64,
  mov64,
  note,
  type ProgramSource,
  R0,
  R1,
  R2,
  R3,
  R4,
  R5,
  R7,
  R8,
  rsh64,
  st,
  stx,
} from '../../../bpf/asm/index.ts';
import { ETH_HLEN } from '../../../bpf/kernel/constants.ts';
import { Fragment, NO_PORT } from '../layouts.ts';
import { MAX_IPV6_EXT_HEADERS, PULL_BYTES } from '../limits.ts';
import { at, R_STATE } from './conventions.ts';
import { endsOf, type Hook } from './hooks.ts';

/** IP protocol numbers. */
export const IpProto = {
  HOPOPTS: 0,
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  ROUTING: 43,
  FRAGMENT: 44,
  AH: 51,
  ICMPV6: 58,
  DSTOPTS: 60,
  SCTP: 132,
} as const;

/** EtherTypes as a little-endian u16 load of the big-endian field reads them. */
const ETH_P_IP_LE = 0x0008;
const ETH_P_IPV6_LE = 0xdd86;
const ETH_P_8021Q_LE = 0x0081;
const ETH_P_8021AD_LE = 0xa888;

const IPV4_HLEN = 20;
const IPV6_HLEN = 40;
const L4_OFF_IPV4 = ETH_HLEN + IPV4_HLEN;
const L4_OFF_IPV6 = ETH_HLEN + IPV6_HLEN;

/** Minimum header bytes read per transport protocol. */
const TCP_MIN = 20;
const UDP_MIN = 8;
const SCTP_MIN = 12; // common header: ports, verification tag, checksum
const ICMP_MIN = 8; // type, code, checksum, and for echo the identifier and sequence

/** ICMPv6 types that always pass: MLD query/report/done (130-132), ND (133-137), MLDv2 report (143). */
export const ICMPV6_FAILSAFE_TYPES = [130, 131, 132, 133, 134, 135, 136, 137, 143] as const;
const ICMP_ECHO = { v4: [8, 0], v6: [128, 129] } as const;

/** if (ptr + bytes > data_end) goto fail */
function need(ptr: typeof R1 | typeof R2, bytes: number, fail: string): ProgramSource {
  return [mov64.reg(R0, ptr), add64.imm(R0, bytes), jgt.reg(R0, R3, fail)];
}

function ethernet(): ProgramSource {
  return [
    note('ethernet'),
    need(R2, ETH_HLEN, 'drop_malformed_ethernet'),
    ldx.h(R4, R2, 12),
    jeq.imm(R4, ETH_P_IP_LE, 'ipv4'),
    jeq.imm(R4, ETH_P_IPV6_LE, 'ipv6'),
    jeq.imm(R4, ETH_P_8021Q_LE, 'drop_vlan'),
    jeq.imm(R4, ETH_P_8021AD_LE, 'drop_vlan'),
    ja('non_ip'),
  ];
}

/** Copy `words` 32-bit words from the packet at `from` into the state at `to`. */
function copyWords(from: number, to: number, words: number): ProgramSource {
  return Array.from({ length: words }, (_, i) => [ldx.w(R4, R2, from + 4 * i), stx.w(R_STATE, R4, to + 4 * i)]);
}

function addresses(hook: Hook, srcOffset: number, dstOffset: number, words: number): ProgramSource {
  const ends = endsOf(hook);
  const offset = { src: srcOffset, dst: dstOffset };
  return [copyWords(offset[ends.local], at('local'), words), copyWords(offset[ends.remote], at('remote'), words)];
}

function ipv4(hook: Hook): ProgramSource {
  return [
    label('ipv4'),
    note('ipv4: version, IHL (options skipped), fragments'),
    need(R2, L4_OFF_IPV4, 'drop_malformed_ipv4'),
    ldx.b(R4, R2, ETH_HLEN),
    mov64.reg(R5, R4),
    rsh64.imm(R5, 4),
    jne.imm(R5, 4, 'drop_malformed_ipv4'),
    and64.imm(R4, 0x0f),
    jlt.imm(R4, 5, 'drop_malformed_ipv4'),
    lsh64.imm(R4, 2), // header length 20..60
    mov64.reg(R1, R2),
    add64.imm(R1, ETH_HLEN),
    add64.reg(R1, R4), // R1 = transport header
    jgt.reg(R1, R3, 'drop_malformed_ipv4'), // options run past the packet
    st.b(R_STATE, 4, at('family')),
    st.w(R_STATE, 0, at('familyBit')),
    addresses(hook, ETH_HLEN + 12, ETH_HLEN + 16, 1),
    ldx.b(R5, R2, ETH_HLEN + 9),
    // Fragments: offset != 0 is a later fragment (no transport header); offset 0 with MF set is
    // the first one, parsed like any packet.
    ldx.h(R4, R2, ETH_HLEN + 6),
    end.toBe(R4, 16),
    mov64.reg(R0, R4),
    and64.imm(R0, 0x1fff),
    jne.imm(R0, 0, 'ipv4_later_fragment'),
    jset.imm(R4, 0x2000, 'ipv4_first_fragment'),
    ja('l4'),
    label('ipv4_first_fragment'),
    st.b(R_STATE, Fragment.FIRST, at('fragment')),
    ipv4FragmentId(),
    ja('l4'),
    label('ipv4_later_fragment'),
    st.b(R_STATE, Fragment.LATER, at('fragment')),
    ipv4FragmentId(),
    ja('fragment_later'),
  ];
}

function ipv4FragmentId(): ProgramSource {
  return [stx.b(R_STATE, R5, at('fragmentProto')), ldx.h(R4, R2, ETH_HLEN + 4), stx.w(R_STATE, R4, at('fragmentId'))];
}

const EXT_OPTIONS_LIKE = [IpProto.HOPOPTS, IpProto.ROUTING, IpProto.DSTOPTS];

function ipv6(hook: Hook): ProgramSource {
  const ext = (i: number, what: string): string => `ipv6_ext_${i}${what}`;
  const steps: ProgramSource[] = [];
  for (let i = 0; i < MAX_IPV6_EXT_HEADERS; i++) {
    const next = ext(i + 1, '');
    steps.push([
      label(ext(i, '')),
      // Through map memory the offset comes back as a bounded unknown: every path into this step
      // is then one verifier state, and the walk verifies in linear time instead of 3^steps.
      stx.h(R_STATE, R8, at('headerOffset')),
      ldx.h(R8, R_STATE, at('headerOffset')),
      jgt.imm(R8, PULL_BYTES, 'drop_malformed_ipv6'),
      mov64.reg(R1, R2),
      add64.reg(R1, R8),
      jgt.reg(R1, R3, 'drop_malformed_ipv6'), // the previous header claimed more than the packet has
      EXT_OPTIONS_LIKE.map((p) => jeq.imm(R5, p, ext(i, '_options'))),
      jeq.imm(R5, IpProto.FRAGMENT, ext(i, '_fragment')),
      jeq.imm(R5, IpProto.AH, ext(i, '_ah')),
      ja('l4'),
      // hop-by-hop, routing, destination options: length in 8-byte units, not counting the first 8
      label(ext(i, '_options')),
      need(R1, 8, 'drop_malformed_ipv6'),
      ldx.b(R5, R1, 0),
      ldx.b(R4, R1, 1),
      add64.imm(R4, 1),
      lsh64.imm(R4, 3),
      add64.reg(R8, R4),
      ja(next),
      // authentication header: length in 4-byte units, not counting the first 2
      label(ext(i, '_ah')),
      need(R1, 8, 'drop_malformed_ipv6'),
      ldx.b(R5, R1, 0),
      ldx.b(R4, R1, 1),
      add64.imm(R4, 2),
      lsh64.imm(R4, 2),
      add64.reg(R8, R4),
      ja(next),
      // fragment header: 8 bytes; offset in the high 13 bits, M in bit 0, 32-bit identification
      label(ext(i, '_fragment')),
      need(R1, 8, 'drop_malformed_ipv6'),
      ldx.b(R5, R1, 0),
      stx.b(R_STATE, R5, at('fragmentProto')),
      ldx.w(R4, R1, 4),
      stx.w(R_STATE, R4, at('fragmentId')),
      ldx.h(R4, R1, 2),
      end.toBe(R4, 16),
      mov64.reg(R0, R4),
      and64.imm(R0, 0xfff8),
      jne.imm(R0, 0, ext(i, '_later_fragment')),
      add64.imm(R8, 8),
      jset.imm(R4, 1, ext(i, '_first_fragment')),
      ja(next), // offset 0 and no M: an atomic fragment, a whole datagram
      label(ext(i, '_first_fragment')),
      st.b(R_STATE, Fragment.FIRST, at('fragment')),
      ja(next),
      label(ext(i, '_later_fragment')),
      st.b(R_STATE, Fragment.LATER, at('fragment')),
      ja('fragment_later'),
    ]);
  }
  return [
    label('ipv6'),
    note('ipv6: version, addresses, extension headers (unrolled, bounded)'),
    need(R2, L4_OFF_IPV6, 'drop_malformed_ipv6'),
    ldx.b(R4, R2, ETH_HLEN),
    rsh64.imm(R4, 4),
    jne.imm(R4, 6, 'drop_malformed_ipv6'),
    st.b(R_STATE, 6, at('family')),
    st.w(R_STATE, 1, at('familyBit')),
    addresses(hook, ETH_HLEN + 8, ETH_HLEN + 24, 4),
    ldx.b(R5, R2, ETH_HLEN + 6),
    mov64.imm(R8, L4_OFF_IPV6), // R8: offset of the next header from the packet start
    steps,
    label(ext(MAX_IPV6_EXT_HEADERS, '')),
    [...EXT_OPTIONS_LIKE, IpProto.FRAGMENT, IpProto.AH].map((p) => jeq.imm(R5, p, 'drop_ipv6_ext_limit')),
    stx.h(R_STATE, R8, at('headerOffset')),
    ldx.h(R8, R_STATE, at('headerOffset')),
    jgt.imm(R8, PULL_BYTES, 'drop_malformed_ipv6'),
    mov64.reg(R1, R2),
    add64.reg(R1, R8),
    jgt.reg(R1, R3, 'drop_malformed_ipv6'),
    ja('l4'),
  ];
}

function transport(hook: Hook): ProgramSource {
  const ends = endsOf(hook);
  // lport/rport from the packet's source (R7) and destination (R8) ports, both as on the wire
  const portOf = { src: R7, dst: R8 } as const;
  return [
    label('l4'),
    note('transport: protocol, ports, TCP flags, ICMP type'),
    stx.b(R_STATE, R5, at('proto')),
    st.w(R_STATE, NO_PORT, at('dport')),
    st.w(R_STATE, NO_PORT, at('sport')),
    jeq.imm(R5, IpProto.TCP, 'tcp'),
    jeq.imm(R5, IpProto.UDP, 'udp'),
    jeq.imm(R5, IpProto.SCTP, 'sctp'),
    jeq.imm(R5, IpProto.ICMP, 'icmp'),
    jeq.imm(R5, IpProto.ICMPV6, 'icmp6'),
    ja('conntrack'), // no ports: the policy sees the protocol and the remote address only

    label('tcp'),
    need(R1, TCP_MIN, 'drop_malformed_l4'),
    ldx.b(R4, R1, 13),
    stx.b(R_STATE, R4, at('tcpFlags')),
    ja('ports'),
    label('udp'),
    need(R1, UDP_MIN, 'drop_malformed_l4'),
    ja('ports'),
    label('sctp'),
    need(R1, SCTP_MIN, 'drop_malformed_l4'), // SCTP ports sit where TCP's and UDP's do
    label('ports'),
    ldx.h(R7, R1, 0),
    ldx.h(R8, R1, 2),
    stx.h(R_STATE, portOf[ends.local], at('lport')),
    stx.h(R_STATE, portOf[ends.remote], at('rport')),
    end.toBe(R8, 16),
    stx.w(R_STATE, R8, at('dport')),
    end.toBe(R7, 16),
    stx.w(R_STATE, R7, at('sport')),
    ja('conntrack'),

    label('icmp'),
    need(R1, ICMP_MIN, 'drop_malformed_l4'),
    ldx.b(R4, R1, 1),
    stx.b(R_STATE, R4, at('icmpCode')),
    ldx.b(R4, R1, 0),
    stx.b(R_STATE, R4, at('icmpType')),
    ICMP_ECHO.v4.map((t) => jeq.imm(R4, t, 'icmp_echo')),
    ja('icmp_other'),
    label('icmp6'),
    need(R1, ICMP_MIN, 'drop_malformed_l4'),
    ldx.b(R4, R1, 1),
    stx.b(R_STATE, R4, at('icmpCode')),
    ldx.b(R4, R1, 0),
    stx.b(R_STATE, R4, at('icmpType')),
    ICMPV6_FAILSAFE_TYPES.map((t) => jeq.imm(R4, t, 'nd_failsafe')),
    ICMP_ECHO.v6.map((t) => jeq.imm(R4, t, 'icmp_echo')),
    ja('icmp_other'),
    // Other ICMP messages: type and code (as on the wire) stand in for the remote port, so a
    // message admitted by a rule on its type (Rule.icmp) admits only messages of that type and
    // code between the same addresses, not every ICMP message.
    label('icmp_other'),
    ldx.h(R4, R1, 0),
    stx.h(R_STATE, R4, at('rport')),
    ja('conntrack'),
    // Echo request and reply share the identifier: it stands in for the local port so the reply
    // finds the request's conntrack entry. Other ICMP messages are keyed by addresses, type and code.
    label('icmp_echo'),
    ldx.h(R4, R1, 4),
    stx.h(R_STATE, R4, at('lport')),
    ja('conntrack'),
  ];
}

export function parse(hook: Hook): ProgramSource {
  return [ethernet(), ipv4(hook), ipv6(hook), transport(hook)];
}
