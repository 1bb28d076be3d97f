// The XDP program of one host interface (pure code generation): parse Ethernet and IPv4/IPv6, look
// the source address up in the family's trie (tables.ts) for the mask of terms whose source set
// holds it, then test the terms in rule order (protocol, IP version, destination port); the first
// that holds counts its rule and drops the packet. Everything else passes on to the stack, where
// connection tracking and the pods' tc programs come next. Only Deny rules run here, so passing is
// never a verdict: it leaves the packet to everything after.
//
// Not parsed, so passed: non-IP frames, VLAN-tagged frames (the host's VLAN interfaces are their
// own host endpoints), IPv6 extension headers before the transport header (a term with ports does
// not match such a packet; a term without ports still does, by source). Later IPv4 fragments carry
// no ports: only terms without ports match them, as for Calico's iptables rules.
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
import type { XdpTables } from './tables.ts';

export interface XdpMapFds {
  trie4: number;
  trie6: number;
  counters: number;
}

/** Ports read from a packet that has none: above every port, so no range holds it. */
const NO_PORT = 0x1_0000;
/** EtherTypes as a little-endian u16 load of the network-order field reads them. */
const ETH_P_IP_LE = 0x0008;
const ETH_P_IPV6_LE = 0xdd86;
/** IPv4 flags+fragment offset read little-endian: the 13 offset bits. */
const FRAG_OFFSET_LE = 0xff1f;
const PORT_PROTOCOLS = [6, 17, 132]; // TCP, UDP, SCTP: the destination port is bytes 2-3 of their header

// Stack: counter key, IP version, LPM key (prefixlen + up to 16 address bytes).
const KEY_SLOT = -8;
const FAMILY = -16;
const LPM = -40;

// Registers kept across helper calls: r6 ctx, r7 IP protocol, r8 term mask, r9 destination port.

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
    jne.imm(R5, 0, 'lookup4'),
    PORT_PROTOCOLS.map((p) => jeq.imm(R7, p, 'ports4')),
    ja('lookup4'),
    label('ports4'),
    ldx.b(R5, R2, ETH_HLEN),
    and64.imm(R5, 0x0f),
    lsh64.imm(R5, 2), // IHL in bytes, 0-60: a bounded offset the verifier follows
    mov64.reg(R4, R2),
    add64.reg(R4, R5),
    mov64.reg(R0, R4),
    add64.imm(R0, ETH_HLEN + 4),
    jgt.reg(R0, R3, 'lookup4'),
    ldx.h(R9, R4, ETH_HLEN + 2),
    end.toBe(R9, 16),
    label('lookup4'),
  ];
}

/** From `ipv6`: as ipv4Parse, for a transport header right after the fixed 40-byte header. */
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
    PORT_PROTOCOLS.map((p) => jeq.imm(R7, p, 'ports6')),
    ja('lookup6'),
    label('ports6'),
    mov64.reg(R4, R2),
    add64.imm(R4, ETH_HLEN + 44),
    jgt.reg(R4, R3, 'lookup6'),
    ldx.h(R9, R2, ETH_HLEN + 42),
    end.toBe(R9, 16),
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
      term.protocol === null ? [] : jne.imm(R7, term.protocol, next),
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
