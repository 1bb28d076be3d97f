// The XDP program of one host interface (pure code generation): parse Ethernet and IPv4/IPv6, look
// the source address up in the family's trie (tables.ts) for the mask of terms whose source set
// holds it, then test the terms in rule order (protocol, IP version, destination port); the first
// that holds counts its rule and drops the packet. Everything else passes on to the stack, where
// connection tracking and the pods' tc programs come next. Only Deny rules run here, so passing is
// never a verdict: it leaves the packet to everything after.
//
// Fail closed on what cannot be read. IPv6 extension headers are walked as the tc parser walks them
// (codegen/parse.ts, up to MAX_IPV6_EXT_HEADERS). When the transport header cannot be known (a
// later IPv4 fragment, an IPv6 fragment header with offset > 0, a longer extension chain, a header
// cut short or past HEADER_WALK_BYTES) its ports are UNKNOWN_PORT, and for IPv6 its protocol is
// UNKNOWN_PROTOCOL unless a fragment header names a transport protocol. A term test on an unknown
// field holds: otherwise an extra Destination Options header or a fragmented datagram would carry
// traffic past a port-limited Deny. The program only drops, so the cost of this choice is
// over-blocking, and only of packets from a source some term already denies (the source lookup
// still decides): e.g. a fragmented datagram from such a source to a port its rules leave open
// loses its later fragments and so never reassembles.
//
// Not parsed, so passed: non-IP frames, VLAN-tagged frames (the host's VLAN interfaces are their
// own host endpoints), frames too short for the fixed IP header (no source address to look up;
// the stack drops them).
import {
  add64,
  and64,
  call,
  end,
  exit,
  ja,
  jeq,
  jgt,
  jle,
  jlt,
  jne,
  label,
  ld,
  ldx,
  lsh64,
  mov64,
  or64,
  type ProgramSource,
  R0,
  R1,
  R2,
  R3,
  R4,
  R5,
  R6,
  R7,
  R8,
  R9,
  R10,
  st,
  stx,
} from '../../../bpf/asm/index.ts';
import { ETH_HLEN, Helper, XdpAction, XdpMd } from '../../../bpf/kernel/constants.ts';
import { MAX_IPV6_EXT_HEADERS, PULL_BYTES } from '../limits.ts';
import type { XdpTables } from './tables.ts';

export interface XdpMapFds {
  trie4: number;
  trie6: number;
  counters: number;
}

/** Ports read from a packet that has none: above every port, so no range holds it. */
const NO_PORT = 0x1_0000;
/** A transport header that cannot be read: every port test holds (fail closed). */
const UNKNOWN_PORT = 0x2_0000;
/** An IPv6 protocol hidden behind extension headers that cannot be read: every protocol test holds. */
const UNKNOWN_PROTOCOL = 0x100;
/**
 * Header bytes walked, as the tc parser pulls them (PULL_BYTES): a chain running past this has
 * unknown ports. The bound also keeps the variable packet offset within what the verifier allows.
 */
const HEADER_WALK_BYTES = PULL_BYTES;
/** EtherTypes as a little-endian u16 load of the network-order field reads them. */
const ETH_P_IP_LE = 0x0008;
const ETH_P_IPV6_LE = 0xdd86;
/** IPv4 flags+fragment offset read little-endian: the 13 offset bits. */
const FRAG_OFFSET_LE = 0xff1f;
const PORT_PROTOCOLS = [6, 17, 132]; // TCP, UDP, SCTP: the destination port is bytes 2-3 of their header
/** IPv6 extension headers by how their length is coded (RFC 8200 section 4; AH: RFC 4302). */
const EXT_OPTIONS_LIKE = [0, 43, 60]; // hop-by-hop, routing, destination options: 8-byte units after the first 8
const EXT_FRAGMENT = 44;
const EXT_AH = 51; // 4-byte units after the first 8
const EXT_HEADERS = [...EXT_OPTIONS_LIKE, EXT_FRAGMENT, EXT_AH];

// Stack: counter key, IP version, LPM key (prefixlen + up to 16 address bytes).
const KEY_SLOT = -8;
const FAMILY = -16;
const LPM = -40;
/**
 * The IPv6 header walk's offset goes through this 2-byte slot: at an offset the verifier does not
 * track spills at, it reads back as any u16, so every path into an extension header step is one
 * verifier state and the walk verifies in linear time, not 3^steps (as parse.ts does via its map).
 */
const WALK_OFFSET = -44;

// Registers kept across helper calls: r6 ctx, r7 IP protocol, r8 term mask (the IPv6 walk's header
// offset before the lookup), r9 destination port.

/** From `ipv4` (r2 data, r3 data end): protocol, destination port, LPM key; falls into the lookup. */
function ipv4Parse(): ProgramSource {
  return [
    label('ipv4'),
    mov64.reg(R4, R2),
    add64.imm(R4, ETH_HLEN + 20),
    jgt.reg(R4, R3, 'pass'),
    st.w(R10, 4, FAMILY),
    ldx.b(R7, R2, ETH_HLEN + 9),
    ldx.w(R0, R2, ETH_HLEN + 12),
    stx.w(R10, R0, LPM + 4),
    st.w(R10, 32, LPM),
    ldx.h(R5, R2, ETH_HLEN + 6),
    and64.imm(R5, FRAG_OFFSET_LE),
    jne.imm(R5, 0, 'unknown_ports4'), // a later fragment: the protocol field holds, the ports are in the first
    PORT_PROTOCOLS.map((p) => jeq.imm(R7, p, 'ports4')),
    ja('lookup4'),
    label('ports4'),
    ldx.b(R5, R2, ETH_HLEN),
    and64.imm(R5, 0x0f),
    jlt.imm(R5, 5, 'unknown_ports4'), // shorter than the fixed header: no transport header to trust
    lsh64.imm(R5, 2), // IHL in bytes, 20-60: a bounded offset the verifier follows
    mov64.reg(R4, R2),
    add64.reg(R4, R5),
    mov64.reg(R0, R4),
    add64.imm(R0, ETH_HLEN + 4),
    jgt.reg(R0, R3, 'unknown_ports4'),
    ldx.h(R9, R4, ETH_HLEN + 2),
    end.toBe(R9, 16),
    ja('lookup4'),
    label('unknown_ports4'),
    mov64.imm(R9, UNKNOWN_PORT),
    label('lookup4'),
  ];
}

/** One step of the IPv6 walk: r8 is the offset of the header r7 names; on to the next step or `l4_6`. */
function ipv6Step(i: number): ProgramSource {
  const step = (what: string): string => `ipv6_ext_${i}${what}`;
  const next = `ipv6_ext_${i + 1}`;
  return [
    label(step('')),
    stx.h(R10, R8, WALK_OFFSET),
    ldx.h(R8, R10, WALK_OFFSET),
    jgt.imm(R8, HEADER_WALK_BYTES, 'unknown6'),
    mov64.reg(R1, R2),
    add64.reg(R1, R8),
    jgt.reg(R1, R3, 'unknown6'), // the previous header claimed more than the frame has
    EXT_OPTIONS_LIKE.map((p) => jeq.imm(R7, p, step('_options'))),
    jeq.imm(R7, EXT_FRAGMENT, step('_fragment')),
    jeq.imm(R7, EXT_AH, step('_ah')),
    ja('l4_6'),
    label(step('_options')),
    mov64.reg(R0, R1),
    add64.imm(R0, 8),
    jgt.reg(R0, R3, 'unknown6'),
    ldx.b(R7, R1, 0),
    ldx.b(R4, R1, 1),
    add64.imm(R4, 1),
    lsh64.imm(R4, 3),
    add64.reg(R8, R4),
    ja(next),
    label(step('_ah')),
    mov64.reg(R0, R1),
    add64.imm(R0, 8),
    jgt.reg(R0, R3, 'unknown6'),
    ldx.b(R7, R1, 0),
    ldx.b(R4, R1, 1),
    add64.imm(R4, 2),
    lsh64.imm(R4, 2),
    add64.reg(R8, R4),
    ja(next),
    // fragment header: 8 bytes, the offset in the high 13 bits of bytes 2-3
    label(step('_fragment')),
    mov64.reg(R0, R1),
    add64.imm(R0, 8),
    jgt.reg(R0, R3, 'unknown6'),
    ldx.b(R7, R1, 0),
    ldx.h(R4, R1, 2),
    end.toBe(R4, 16),
    and64.imm(R4, 0xfff8),
    jne.imm(R4, 0, 'later_fragment6'),
    add64.imm(R8, 8),
    ja(next),
  ];
}

/**
 * From `ipv6`: the LPM key, then the extension headers walked to the transport header for its
 * protocol and destination port, or to what leaves them unknown; falls into the lookup.
 */
function ipv6Parse(): ProgramSource {
  const addr = ETH_HLEN + 8;
  return [
    label('ipv6'),
    mov64.reg(R4, R2),
    add64.imm(R4, ETH_HLEN + 40),
    jgt.reg(R4, R3, 'pass'),
    st.w(R10, 6, FAMILY),
    ldx.b(R7, R2, ETH_HLEN + 6),
    [0, 4, 8, 12].map((k) => [ldx.w(R0, R2, addr + k), stx.w(R10, R0, LPM + 4 + k)]),
    st.w(R10, 128, LPM),
    mov64.imm(R8, ETH_HLEN + 40),
    Array.from({ length: MAX_IPV6_EXT_HEADERS }, (_, i) => ipv6Step(i)),
    label(`ipv6_ext_${MAX_IPV6_EXT_HEADERS}`),
    EXT_HEADERS.map((p) => jeq.imm(R7, p, 'unknown6')), // a longer chain than the tc parser walks
    stx.h(R10, R8, WALK_OFFSET),
    ldx.h(R8, R10, WALK_OFFSET),
    jgt.imm(R8, HEADER_WALK_BYTES, 'unknown6'),
    mov64.reg(R1, R2),
    add64.reg(R1, R8),
    label('l4_6'),
    PORT_PROTOCOLS.map((p) => jeq.imm(R7, p, 'ports6')),
    ja('lookup6'),
    label('ports6'),
    mov64.reg(R0, R1),
    add64.imm(R0, 4),
    jgt.reg(R0, R3, 'unknown_ports6'),
    ldx.h(R9, R1, 2),
    end.toBe(R9, 16),
    ja('lookup6'),
    // A later fragment: its header names the fragmentable part's first header, a transport
    // protocol or another extension header, which hides the protocol.
    label('later_fragment6'),
    EXT_HEADERS.map((p) => jeq.imm(R7, p, 'unknown6')),
    ja('unknown_ports6'),
    label('unknown6'),
    mov64.imm(R7, UNKNOWN_PROTOCOL),
    label('unknown_ports6'),
    mov64.imm(R9, UNKNOWN_PORT),
    label('lookup6'),
  ];
}

export function generateXdpProgram(tables: XdpTables, fds: XdpMapFds): ProgramSource {
  const lookup = (fd: number, after: string): ProgramSource => [
    ld.mapFd(R1, fd),
    mov64.reg(R2, R10),
    add64.imm(R2, LPM),
    call(Helper.map_lookup_elem),
    ja(after),
  ];
  const terms = tables.terms.map((term, i): ProgramSource => {
    const next = `term_${i}_next`;
    const hit = `term_${i}_hit`;
    const ports: ProgramSource = term.ports
      ? [
          jeq.imm(R9, UNKNOWN_PORT, hit),
          ...term.ports.map((range, k) =>
            range.first === range.last
              ? jeq.imm(R9, range.first, hit)
              : [jlt.imm(R9, range.first, `term_${i}_range_${k}_below`), jle.imm(R9, range.last, hit), label(`term_${i}_range_${k}_below`)],
          ),
          ja(next),
        ]
      : [];
    return [
      ld.imm64(R1, 1n << BigInt(i)),
      and64.reg(R1, R8),
      jeq.imm(R1, 0, next),
      term.protocol === null ? [] : [jeq.imm(R7, UNKNOWN_PROTOCOL, `term_${i}_protocol`), jne.imm(R7, term.protocol, next), label(`term_${i}_protocol`)],
      term.ipVersion === undefined ? [] : [ldx.w(R1, R10, FAMILY), jne.imm(R1, term.ipVersion, next)],
      ports,
      label(hit),
      st.w(R10, term.slot, KEY_SLOT),
      ja('drop'),
      label(next),
    ];
  });
  return [
    mov64.reg(R6, R1),
    ldx.w(R2, R6, XdpMd.data),
    ldx.w(R3, R6, XdpMd.data_end),
    mov64.reg(R4, R2),
    add64.imm(R4, ETH_HLEN),
    jgt.reg(R4, R3, 'pass'),
    mov64.imm(R7, 0),
    mov64.imm(R9, NO_PORT),
    ldx.h(R5, R2, 12),
    jeq.imm(R5, ETH_P_IP_LE, 'ipv4'),
    jeq.imm(R5, ETH_P_IPV6_LE, 'ipv6'),
    ja('pass'),
    ipv4Parse(),
    lookup(fds.trie4, 'classify'),
    ipv6Parse(),
    lookup(fds.trie6, 'classify'),
    label('classify'),
    mov64.imm(R8, 0),
    jeq.imm(R0, 0, 'mask'),
    ldx.dw(R8, R0, 0),
    label('mask'),
    tables.anyMask === 0n ? [] : [ld.imm64(R1, tables.anyMask), or64.reg(R8, R1)],
    terms,
    label('pass'),
    mov64.imm(R0, XdpAction.PASS),
    exit(),
    label('drop'),
    ld.mapFd(R1, fds.counters),
    mov64.reg(R2, R10),
    add64.imm(R2, KEY_SLOT),
    call(Helper.map_lookup_elem),
    jeq.imm(R0, 0, 'drop_exit'),
    mov64.reg(R7, R0),
    ldx.dw(R1, R7, 0),
    add64.imm(R1, 1),
    stx.dw(R7, R1, 0),
    mov64.reg(R1, R6),
    call(Helper.xdp_get_buff_len),
    ldx.dw(R1, R7, 8),
    add64.reg(R1, R0),
    stx.dw(R7, R1, 8),
    label('drop_exit'),
    mov64.imm(R0, XdpAction.DROP),
    exit(),
  ];
}
