// One probe from inside a pod: a TCP handshake or a UDP echo round trip, with a deadline. A probe
// that is dropped only ever ends by timeout, so the timeout is the price of every expected denial.
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv6, connect as tcpConnect } from 'node:net';
import type { ProbeAnswer, ProbeProtocol, ProbeReason } from './protocol.ts';

function reasonOf(e: NodeJS.ErrnoException): ProbeReason {
  switch (e.code) {
    case 'ECONNREFUSED':
    case 'ECONNRESET':
      return 'refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    default:
      return 'error';
  }
}

export function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    const start = performance.now();
    const sock = tcpConnect({ host, port });
    let done = false;
    const finish = (reason: ProbeReason, detail?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy(); // closes with FIN after a handshake; aborts the SYN otherwise
      resolve({ connected: reason === 'connected', reason, ms: performance.now() - start, ...(detail ? { detail } : {}) });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    sock.once('connect', () => finish('connected'));
    sock.on('error', (e: NodeJS.ErrnoException) => finish(reasonOf(e), e.code ?? e.message));
  });
}

/**
 * A connected UDP socket sends a unique token and waits for it to come back. Being connected
 * makes ICMP port-unreachable surface as ECONNREFUSED. The datagram is re-sent a few times within
 * the timeout: UDP has no retransmission of its own, and a lost first datagram must not read as
 * "denied".
 */
export function probeUdp(host: string, port: number, timeoutMs: number): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    const start = performance.now();
    const token = randomBytes(16);
    const sock = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    let done = false;
    let resend: NodeJS.Timeout | undefined;
    const finish = (reason: ProbeReason, detail?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(resend);
      sock.close();
      resolve({ connected: reason === 'connected', reason, ms: performance.now() - start, ...(detail ? { detail } : {}) });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    const send = () => {
      if (!done) sock.send(token, (e) => e && finish(reasonOf(e as NodeJS.ErrnoException), (e as NodeJS.ErrnoException).code));
    };
    sock.on('message', (msg) => msg.equals(token) && finish('connected'));
    sock.on('error', (e: NodeJS.ErrnoException) => finish(reasonOf(e), e.code ?? e.message));
    sock.connect(port, host, () => {
      send();
      resend = setInterval(send, Math.max(50, Math.floor(timeoutMs / 4)));
    });
  });
}

export function probeOnce(host: string, port: number, protocol: ProbeProtocol, timeoutMs: number): Promise<ProbeAnswer> {
  return protocol === 'TCP' ? probeTcp(host, port, timeoutMs) : probeUdp(host, port, timeoutMs);
}
