// Crafted frames for BPF_PROG_TEST_RUN (Ethernet + IPv4 + TCP or UDP), the few the per-packet figures
// need. Transport checksums stay 0: the programs never check them.
const POD_MAC = Buffer.from('020000000002', 'hex');
const HOST_MAC = Buffer.from('eeeeeeeeeeee', 'hex');

export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

function ipv4Bytes(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

function ipv4Checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function tcpFrame(src: string, dst: string, sport: number, dport: number, flags: number): Buffer {
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(sport, 0);
  tcp.writeUInt16BE(dport, 2);
  tcp.writeUInt32BE(1, 4);
  tcp.writeUInt8(5 << 4, 12);
  tcp.writeUInt8(flags, 13);
  tcp.writeUInt16BE(65535, 14);
  return ipv4Frame(src, dst, 6, tcp);
}

/** A 64-byte UDP frame (18 bytes of payload), as the new-flow load generator sends them. */
export function udpFrame(src: string, dst: string, sport: number, dport: number): Buffer {
  const udp = Buffer.alloc(8 + 18);
  udp.writeUInt16BE(sport, 0);
  udp.writeUInt16BE(dport, 2);
  udp.writeUInt16BE(udp.length, 4);
  return ipv4Frame(src, dst, 17, udp);
}

function ipv4Frame(src: string, dst: string, protocol: number, l4: Buffer): Buffer {
  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(ip.length + l4.length, 2);
  ip.writeUInt16BE(0x4242, 4);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(protocol, 9);
  ipv4Bytes(src).copy(ip, 12);
  ipv4Bytes(dst).copy(ip, 16);
  ip.writeUInt16BE(ipv4Checksum(ip), 10);
  const eth = Buffer.alloc(14);
  HOST_MAC.copy(eth, 0);
  POD_MAC.copy(eth, 6);
  eth.writeUInt16BE(0x0800, 12);
  return Buffer.concat([eth, ip, l4]);
}
