// Servers inside a pod: TCP echo and UDP echo on every declared port. Bound to "::" with
// ipv6Only off, so one socket answers IPv4 (as v4-mapped) and IPv6 probes alike.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import type { ServePort } from './protocol.ts';

export interface Servers {
  close(): Promise<void>;
}

function serveTcp(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((sock) => {
      sock.on('error', () => {}); // a prober resetting its socket is normal
      sock.pipe(sock); // echo: lets future tests check a data path beyond the handshake
    });
    server.once('error', reject);
    server.listen({ port, host: '::', ipv6Only: false, backlog: 1024 }, () => resolve(server));
  });
}

function serveUdp(port: number): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const sock = createSocket({ type: 'udp6', ipv6Only: false });
    sock.on('message', (msg, rinfo) => sock.send(msg, rinfo.port, rinfo.address));
    sock.once('error', reject);
    sock.bind(port, '::', () => {
      sock.off('error', reject);
      sock.on('error', () => {}); // e.g. ICMP errors for replies: never fatal for the server
      resolve(sock);
    });
  });
}

export async function startServers(ports: readonly ServePort[]): Promise<Servers> {
  const tcp = await Promise.all(ports.filter((p) => p.protocol === 'TCP').map((p) => serveTcp(p.port)));
  const udp = await Promise.all(ports.filter((p) => p.protocol === 'UDP').map((p) => serveUdp(p.port)));
  return {
    close: async () => {
      await Promise.all([...tcp.map((s) => new Promise<void>((r) => s.close(() => r()))), ...udp.map((s) => new Promise<void>((r) => s.close(() => r())))]);
    },
  };
}
