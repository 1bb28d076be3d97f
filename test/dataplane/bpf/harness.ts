// Shared helpers for kernel tests: a capability check, crafted packets, unique names, maps made for
// one test file.
import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { libbpf } from '../../../bpf/kernel/libbpf.ts';
import { type BpfMap, createMap } from '../../../bpf/kernel/map.ts';

/** Kernel tests need root (CAP_BPF, CAP_NET_ADMIN) and libbpf.so.1; elsewhere they are skipped. */
export function kernelAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    libbpf();
    return true;
  } catch {
    return false;
  }
}

export const uniqueSuffix = (): string => randomBytes(3).toString('hex');

/** createMap for one test file: call at its top level; every map made is closed after its tests. */
export function mapsOfThisFile(): (...args: Parameters<typeof createMap>) => BpfMap {
  const made: BpfMap[] = [];
  afterAll(() => {
    for (const m of made) m.close();
  });
  return (...args) => {
    const m = createMap(...args);
    made.push(m);
    return m;
  };
}

/** A u32 map key (or value), little-endian as the kernel reads it on this machine. */
export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

export function ipv4(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

function checksum(buf: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2) sum += buf[buf.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface Ipv4PacketSpec {
  src?: string;
  dst?: string;
  protocol?: number; // 6 tcp, 17 udp, 132 sctp
  sport?: number;
  dport?: number;
  payload?: Buffer;
}

/** Ethernet + IPv4 (valid header checksum) + an 8-byte L4 header (ports first) + payload. */
export function ethIpv4(spec: Ipv4PacketSpec = {}): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0);
  const l4 = Buffer.alloc(8);
  l4.writeUInt16BE(spec.sport ?? 40000, 0);
  l4.writeUInt16BE(spec.dport ?? 53, 2);
  l4.writeUInt16BE(8 + payload.length, 4); // UDP length; harmless for other protocols in tests
  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(20 + 8 + payload.length, 2);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(spec.protocol ?? 17, 9);
  ipv4(spec.src ?? '198.18.0.1').copy(ip, 12);
  ipv4(spec.dst ?? '198.18.0.2').copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  const eth = Buffer.alloc(14);
  Buffer.from('020000000002', 'hex').copy(eth, 0);
  Buffer.from('020000000001', 'hex').copy(eth, 6);
  eth.writeUInt16BE(0x0800, 12);
  return Buffer.concat([eth, ip, l4, payload]);
}
