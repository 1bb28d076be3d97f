// Crafted packets for BPF_PROG_TEST_RUN: Ethernet, IPv4 (options, fragments), IPv6 (extension
// headers, fragments), TCP, UDP, SCTP, ICMP, ICMPv6. Each layer is a function returning bytes, so a
// test states the packet it means and can cut it short (`truncated`) to make it malformed. The
// IPv4 header checksum is right; transport checksums are left 0 (the programs never check them).
import { parseCidr } from '../../../../policy/validation/cidr.ts';

export const EtherType = { IPV4: 0x0800, IPV6: 0x86dd, ARP: 0x0806, VLAN: 0x8100 } as const;
export const Proto = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58, SCTP: 132, GRE: 47 } as const;
export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export function addressBytes(text: string): Buffer {
  const parsed = parseCidr(`${text}/${text.includes(':') ? 128 : 32}`);
  if (!parsed.ok) throw new Error(`bad address ${text}`);
  return Buffer.from(parsed.cidr.bytes);
}

function ipv4Checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** A transport header (and payload) with the IP protocol number it goes under. */
export interface Transport {
  protocol: number;
  bytes: Buffer;
}

export function tcp(sport: number, dport: number, flags: number = TcpFlag.SYN, payload = Buffer.alloc(0)): Transport {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(1, 4); // sequence
  h.writeUInt8(5 << 4, 12); // data offset: 5 words
  h.writeUInt8(flags, 13);
  h.writeUInt16BE(65535, 14);
  return { protocol: Proto.TCP, bytes: Buffer.concat([h, payload]) };
}

export function udp(sport: number, dport: number, payload = Buffer.alloc(4)): Transport {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return { protocol: Proto.UDP, bytes: Buffer.concat([h, payload]) };
}

/** SCTP common header (ports, verification tag, checksum) and an INIT chunk header. */
export function sctp(sport: number, dport: number): Transport {
  const h = Buffer.alloc(12 + 4);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(0, 4);
  h.writeUInt8(1, 12); // chunk type INIT
  h.writeUInt16BE(4, 14);
  return { protocol: Proto.SCTP, bytes: h };
}

export function icmp(type: number, id = 0x1234, code = 0): Transport {
  const h = Buffer.alloc(8 + 8);
  h.writeUInt8(type, 0);
  h.writeUInt8(code, 1);
  h.writeUInt16BE(id, 4);
  h.writeUInt16BE(1, 6);
  return { protocol: Proto.ICMP, bytes: h };
}

export function icmpv6(type: number, id = 0x1234, code = 0): Transport {
  return { protocol: Proto.ICMPV6, bytes: icmp(type, id, code).bytes };
}

export function rawTransport(protocol: number, bytes = Buffer.alloc(8)): Transport {
  return { protocol, bytes };
}

export interface Ipv4Options {
  src: string;
  dst: string;
  id?: number;
  /** Fragment offset in bytes (a multiple of 8). */
  fragmentOffset?: number;
  moreFragments?: boolean;
  /** IP options, a multiple of 4 bytes (IHL grows with them). */
  options?: Buffer;
  /** Override the version/IHL byte (malformed packets). */
  versionIhl?: number;
}

export function ipv4(o: Ipv4Options, l4: Transport): Buffer {
  const options = o.options ?? Buffer.alloc(0);
  if (options.length % 4) throw new Error('IPv4 options must be a multiple of 4 bytes');
  const h = Buffer.alloc(20 + options.length);
  h.writeUInt8(o.versionIhl ?? 0x40 | ((20 + options.length) / 4), 0);
  h.writeUInt16BE(h.length + l4.bytes.length, 2);
  h.writeUInt16BE(o.id ?? 0x4242, 4);
  const offset = o.fragmentOffset ?? 0;
  if (offset % 8) throw new Error('fragment offsets are multiples of 8');
  h.writeUInt16BE((o.moreFragments ? 0x2000 : 0) | (offset / 8), 6);
  h.writeUInt8(64, 8);
  h.writeUInt8(l4.protocol, 9);
  addressBytes(o.src).copy(h, 12);
  addressBytes(o.dst).copy(h, 16);
  options.copy(h, 20);
  h.writeUInt16BE(ipv4Checksum(h), 10);
  return Buffer.concat([h, l4.bytes]);
}

/** An IPv6 extension header; `next` is filled in by ipv6(). */
export type Ipv6Ext =
  | { type: 'hop-by-hop' | 'routing' | 'destination'; length?: number }
  | { type: 'fragment'; offset: number; more: boolean; id: number }
  | { type: 'ah'; length?: number };

const EXT_NUMBER = { 'hop-by-hop': 0, routing: 43, fragment: 44, ah: 51, destination: 60 } as const;

function extBytes(ext: Ipv6Ext, next: number): Buffer {
  switch (ext.type) {
    case 'fragment': {
      const b = Buffer.alloc(8);
      b.writeUInt8(next, 0);
      if (ext.offset % 8) throw new Error('fragment offsets are multiples of 8');
      b.writeUInt16BE(((ext.offset / 8) << 3) | (ext.more ? 1 : 0), 2);
      b.writeUInt32BE(ext.id, 4);
      return b;
    }
    case 'ah': {
      const units = ext.length ?? 1; // payload length field: (bytes / 4) - 2
      const b = Buffer.alloc((units + 2) * 4);
      b.writeUInt8(next, 0);
      b.writeUInt8(units, 1);
      return b;
    }
    default: {
      const units = ext.length ?? 0; // (bytes / 8) - 1
      const b = Buffer.alloc((units + 1) * 8);
      b.writeUInt8(next, 0);
      b.writeUInt8(units, 1);
      if (ext.type !== 'routing') b.writeUInt8(1, 2); // a PadN option over the rest
      if (ext.type !== 'routing') b.writeUInt8(b.length - 4, 3);
      return b;
    }
  }
}

export interface Ipv6Options {
  src: string;
  dst: string;
  ext?: Ipv6Ext[];
  /** Override the first byte (malformed packets). */
  versionByte?: number;
}

export function ipv6(o: Ipv6Options, l4: Transport): Buffer {
  const exts = o.ext ?? [];
  const parts: Buffer[] = [];
  for (let i = exts.length - 1, next = l4.protocol; i >= 0; i--) {
    parts.unshift(extBytes(exts[i]!, next));
    next = EXT_NUMBER[exts[i]!.type];
  }
  const first = exts.length > 0 ? EXT_NUMBER[exts[0]!.type] : l4.protocol;
  const payloadLength = parts.reduce((n, b) => n + b.length, 0) + l4.bytes.length;
  const h = Buffer.alloc(40);
  h.writeUInt8(o.versionByte ?? 0x60, 0);
  h.writeUInt16BE(payloadLength, 4);
  h.writeUInt8(first, 6);
  h.writeUInt8(64, 7);
  addressBytes(o.src).copy(h, 8);
  addressBytes(o.dst).copy(h, 24);
  return Buffer.concat([h, ...parts, l4.bytes]);
}

const POD_MAC = Buffer.from('020000000002', 'hex');
const HOST_MAC = Buffer.from('eeeeeeeeeeee', 'hex');

export function ethernet(etherType: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(14);
  HOST_MAC.copy(h, 0);
  POD_MAC.copy(h, 6);
  h.writeUInt16BE(etherType, 12);
  return Buffer.concat([h, payload]);
}

/** Ethernet + IP of the family the addresses are in. */
export function ipPacket(src: string, dst: string, l4: Transport, extra: { ext?: Ipv6Ext[]; v4?: Partial<Ipv4Options> } = {}): Buffer {
  if (src.includes(':')) return ethernet(EtherType.IPV6, ipv6({ src, dst, ...(extra.ext && { ext: extra.ext }) }, l4));
  return ethernet(EtherType.IPV4, ipv4({ src, dst, ...extra.v4 }, l4));
}

/** The first `length` bytes: a packet cut short inside some header. */
export function truncated(packet: Buffer, length: number): Buffer {
  return Buffer.from(packet.subarray(0, length));
}

/** An ARP request (who-has). */
export function arp(): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt16BE(1, 0);
  b.writeUInt16BE(0x0800, 2);
  b.writeUInt8(6, 4);
  b.writeUInt8(4, 5);
  b.writeUInt16BE(1, 6);
  return ethernet(EtherType.ARP, b);
}
