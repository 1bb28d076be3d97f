// The new-flow workloads of figure 2 (issue 13), where the rule count really costs: every flow's
// first packet is classified and tracked, so these measure classification plus conntrack insertion
// rather than the conntrack hit of established traffic.
//
// - connections per second: full TCP handshake, the server's FIN, the client's close, with 128
//   connections in flight from 64 client addresses (ports picked by the kernel), to an acceptor in
//   the server pod that closes at once.
// - 64-byte UDP, every datagram a new flow: source (address, port) pairs never repeated across the
//   whole run (4,096 addresses x 64,512 ports), through a raw socket; counted at the receiver as the
//   UDP datagrams reaching the server pod's stack (/proc/net/snmp: InDatagrams + NoPorts +
//   InErrors; nothing listens on the port, so no socket is the bottleneck).
//
// The load generator is bench/loadgen.c, compiled with gcc when the bench starts. Its ceiling (the
// same runs looped back inside the client pod, no veth, no node, no policy) is measured and printed,
// to show it is not what limits the figures.
//
// Addresses: the generator's sources come from NEW_FLOW_CIDR, routed to the client pod on the node;
// the first CONN_SOURCES of them are the client pod's own (TCP needs the replies), the rest exist
// only as UDP sources. The last rule of the bench policy allows the CIDR (rules.ts newFlows).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ipBatch, run } from '../lab/net/exec.ts';
import type { PodNet } from '../lab/net/topology.ts';
import type { BenchLab } from './lab.ts';

/** Source addresses of the generator: apart from the lab's 198.18.0.0/15 and every filler rule's peer. */
export const NEW_FLOW_CIDR = '100.127.240.0/20';
const NEW_FLOW_BASE = '100.127.240.1';
const UDP_SOURCES = 4095;
const CONN_SOURCES = 64;
const CONCURRENCY = 128;
/** TCP port of the acceptor (iperf3's server holds 5201). */
export const CONN_PORT = 5202;

export interface UdpFlowRate {
  receivedKpps: number;
  sentKpps: number;
}

export interface NewFlowLoad {
  /** Completed connections per second (handshake, server FIN, close). */
  connPerSec(seconds: number): Promise<number>;
  /** 64-byte datagrams, each a new flow, to `port` on the server. */
  udpNewFlows(seconds: number, port: number): Promise<UdpFlowRate>;
  /** The generator looped back inside the client pod: what it can do at most here. */
  ceiling(seconds: number, port: number): Promise<{ connPerSec: number; udpKpps: number }>;
  close(): void;
}

function compile(): { binary: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-loadgen-'));
  const binary = join(dir, 'loadgen');
  execFileSync('gcc', ['-O2', '-Wall', '-o', binary, fileURLToPath(new URL('./loadgen.c', import.meta.url))], { stdio: ['ignore', 'ignore', 'inherit'] });
  return { binary, dir };
}

async function exec(netns: string, args: string[]): Promise<string> {
  const result = await run('ip', ['netns', 'exec', netns, ...args]);
  if (!result.ok) throw result.error;
  return result.value.stdout;
}

/** The server pod's UDP datagrams that reached its stack, whatever became of them there. */
async function udpArrived(pod: PodNet): Promise<number> {
  const lines = (await exec(pod.netns, ['cat', '/proc/net/snmp'])).split('\n').filter((l) => l.startsWith('Udp:'));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/).map(Number);
  const of = (name: string) => values[names.indexOf(name)] ?? 0;
  return of('InDatagrams') + of('NoPorts') + of('InErrors');
}

function startAcceptor(lab: BenchLab, binary: string, pod: PodNet, port: number): Promise<() => void> {
  const child = spawn('ip', ['netns', 'exec', pod.netns, binary, 'acceptor', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  lab.topology.adoptPid(child.pid!);
  const stop = () => {
    child.kill('SIGTERM');
    lab.topology.releasePid(child.pid!);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('loadgen acceptor did not start')), 5000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'listening') {
        clearTimeout(timer);
        resolve(stop);
      }
    });
    child.once('exit', (code) => reject(new Error(`loadgen acceptor exited (${code})`)));
  });
}

/** Compiles the generator, gives the client pod its source addresses, starts the acceptor. */
export async function prepareNewFlowLoad(lab: BenchLab): Promise<NewFlowLoad> {
  const { binary, dir } = compile();
  const { client, server } = lab;
  const base = NEW_FLOW_BASE.split('.').map(Number);
  const address = (i: number) => `${base[0]}.${base[1]}.${base[2]! + ((base[3]! + i) >> 8)}.${(base[3]! + i) & 255}`;
  const clientLines = Array.from({ length: CONN_SOURCES }, (_, i) => `addr add ${address(i)}/32 dev eth0`);
  for (const [netns, lines] of [
    [client.netns, clientLines],
    [lab.topology.nodeNetns, [`route add ${NEW_FLOW_CIDR} via ${client.ip} dev ${client.hostIfName}`]],
  ] as const) {
    const done = await ipBatch(lines, { netns });
    if (!done.ok) throw done.error;
  }
  // all client ports usable; the server's accept queue deep enough for the connections in flight
  await exec(client.netns, ['sysctl', '-q', '-w', 'net.ipv4.ip_local_port_range=1024 65535']);
  await exec(server.netns, ['sysctl', '-q', '-w', 'net.core.somaxconn=4096', 'net.ipv4.tcp_max_syn_backlog=4096']);
  const stopAcceptor = await startAcceptor(lab, binary, server, CONN_PORT);

  /** Flows already sent: the next run starts after them, so no (address, port) pair ever repeats. */
  let udpSent = 0;
  const connRun = async (pod: PodNet, target: string, seconds: number) => {
    const out = await exec(pod.netns, [binary, 'conn', target, String(CONN_PORT), String(seconds), String(CONCURRENCY), NEW_FLOW_BASE, String(CONN_SOURCES)]);
    const m = /connections (\d+) seconds ([\d.]+) failed (\d+)/.exec(out);
    if (!m) throw new Error(`loadgen conn: unexpected output ${out}`);
    if (Number(m[1]) === 0) throw new Error(`loadgen conn: no connection completed (${m[3]} failed)`);
    return Number(m[1]) / Number(m[2]);
  };
  const udpRun = async (target: string, seconds: number, port: number) => {
    const out = await exec(client.netns, [binary, 'udp', target, String(port), String(seconds), NEW_FLOW_BASE, String(UDP_SOURCES), String(udpSent)]);
    const m = /sent (\d+) seconds ([\d.]+)/.exec(out);
    if (!m) throw new Error(`loadgen udp: unexpected output ${out}`);
    udpSent += Number(m[1]);
    return { sent: Number(m[1]), seconds: Number(m[2]) };
  };

  return {
    connPerSec: (seconds) => connRun(client, server.ip, seconds),
    async udpNewFlows(seconds, port) {
      const before = await udpArrived(server);
      const sent = await udpRun(server.ip, seconds, port);
      // datagrams still queued in the path arrive within microseconds; the counter read is later
      const received = (await udpArrived(server)) - before;
      return { receivedKpps: received / sent.seconds / 1000, sentKpps: sent.sent / sent.seconds / 1000 };
    },
    async ceiling(seconds, port) {
      // the client pod talking to itself: the acceptor there, the datagrams to its own address
      const stopLocal = await startAcceptor(lab, binary, client, CONN_PORT);
      try {
        const connPerSec = await connRun(client, client.ip, seconds);
        const before = await udpArrived(client);
        const sent = await udpRun(client.ip, seconds, port);
        const udpKpps = ((await udpArrived(client)) - before) / sent.seconds / 1000;
        return { connPerSec, udpKpps };
      } finally {
        stopLocal();
      }
    },
    close() {
      stopAcceptor();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
