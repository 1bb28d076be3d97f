// IPv6 frames for XDP test runs (the bpf harness crafts IPv4 ones).
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

/** Ethernet + IPv6 + an 8-byte UDP header (ports first). */
export function ethIpv6(spec: { src: string; dst: string; dport?: number }): Buffer {
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x86dd, 12);
  const ip = Buffer.alloc(40);
  ip.writeUInt32BE(0x6000_0000, 0);
  ip.writeUInt16BE(8, 4);
  ip.writeUInt8(17, 6);
  ip.writeUInt8(64, 7);
  ipv6Bytes(spec.src).copy(ip, 8);
  ipv6Bytes(spec.dst).copy(ip, 24);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(40000, 0);
  udp.writeUInt16BE(spec.dport ?? 53, 2);
  udp.writeUInt16BE(8, 4);
  return Buffer.concat([eth, ip, udp]);
}
