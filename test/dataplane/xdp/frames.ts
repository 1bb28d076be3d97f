// IPv6 frames and IPv4 fragments for XDP test runs (the bpf harness crafts whole IPv4 ones).
import { isIPv6 } from 'node:net';

function ipv6Bytes(text: string): Buffer {
  if (!isIPv6(text)) throw new Error(`not an IPv6 address: ${text}`);
  const [head = '', tail = ''] = text.split('::');
  const words = (part: string) => (part === '' ? [] : part.split(':').map((w) => Number.parseInt(w, 16)));
  const front = words(head);
  const back = text.includes('::') ? words(tail) : [];
  const all = [...front, ...Array(8 - front.length - back.length).fill(0), ...back];
  const out = Buffer.alloc(16);
  for (const [i, w] of all.entries()) out.writeUInt16BE(w, 2 * i);
  return out;
}

/** An IPv6 extension header as `ethIpv6` puts it before the transport header. */
export type Ipv6Extension =
  | { kind: 'destinationOptions' } // 8 bytes: next header, length 0, a PadN option
  | { kind: 'fragment'; offset: number; more?: boolean }; // offset in 8-byte units

const EXT_NUMBER = { destinationOptions: 60, fragment: 44 } as const;

function extensionBytes(ext: Ipv6Extension, next: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt8(next, 0);
  if (ext.kind === 'destinationOptions') {
    out.writeUInt8(1, 2); // PadN
    out.writeUInt8(4, 3); // of 4 bytes, filling the header to 8
  } else {
    out.writeUInt16BE((ext.offset << 3) | (ext.more ? 1 : 0), 2);
    out.writeUInt32BE(0x1234, 4);
  }
  return out;
}

/** Ethernet + IPv6 + extension headers in order + an 8-byte transport header (ports first; UDP unless `protocol`). */
export function ethIpv6(spec: { src: string; dst: string; dport?: number; protocol?: number; extensions?: Ipv6Extension[] }): Buffer {
  const extensions = spec.extensions ?? [];
  const transport = spec.protocol ?? 17;
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x86dd, 12);
  const ip = Buffer.alloc(40);
  ip.writeUInt32BE(0x6000_0000, 0);
  ip.writeUInt16BE(8 * extensions.length + 8, 4);
  ip.writeUInt8(extensions[0] ? EXT_NUMBER[extensions[0].kind] : transport, 6);
  ip.writeUInt8(64, 7);
  ipv6Bytes(spec.src).copy(ip, 8);
  ipv6Bytes(spec.dst).copy(ip, 24);
  const chain = extensions.map((ext, i) => {
    const after = extensions[i + 1];
    return extensionBytes(ext, after ? EXT_NUMBER[after.kind] : transport);
  });
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(40000, 0);
  udp.writeUInt16BE(spec.dport ?? 53, 2);
  udp.writeUInt16BE(8, 4);
  return Buffer.concat([eth, ip, ...chain, udp]);
}

/**
 * `frame` (an Ethernet + IPv4 frame) as a later fragment at `offset` 8-byte units: what follows the
 * IP header is then payload, not a transport header, whatever it holds.
 */
export function asLaterIpv4Fragment(frame: Buffer, offset: number): Buffer {
  const out = Buffer.from(frame);
  out.writeUInt16BE(offset & 0x1fff, 14 + 6);
  return out;
}
