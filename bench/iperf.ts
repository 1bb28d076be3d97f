// iperf3 between two lab pods: one server process for the whole bench in the server pod, one client
// run per measurement in the client pod. Figures are what the receiver got: TCP goodput from the
// server's side (sum_received), UDP datagrams the server received (sent minus lost) per second.
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { PodNet, Topology } from '../lab/net/topology.ts';

export interface IperfServer {
  stop(): void;
}

export async function startIperfServer(topology: Topology, pod: PodNet, port: number): Promise<IperfServer> {
  // `ip netns exec` execs iperf3, so the pid is iperf3's and the topology's teardown kills it
  const child = spawn('ip', ['netns', 'exec', pod.netns, 'iperf3', '--server', '--forceflush', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  topology.adoptPid(child.pid!);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('iperf3 server did not start listening')), 5000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (/listening/i.test(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`iperf3 server exited (${code})`)));
  });
  return {
    stop() {
      child.kill('SIGTERM');
      topology.releasePid(child.pid!);
    },
  };
}

/** The parts of `iperf3 --json` output read here. */
interface IperfReport {
  error?: string;
  end: {
    sum_received?: { bits_per_second: number };
    /** UDP: the sender's datagram count with the receiver's loss (the server reports it back). */
    sum?: { packets: number; lost_packets: number; seconds: number };
  };
}

function client(topology: Topology, pod: PodNet, args: string[], timeoutMs: number): Promise<IperfReport> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'ip',
      ['netns', 'exec', pod.netns, 'iperf3', '--json', ...args],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        let json: IperfReport | undefined;
        try {
          json = JSON.parse(stdout) as IperfReport;
        } catch {
          // reported below
        }
        topology.releasePid(child.pid!);
        if (json?.error) return reject(new Error(`iperf3: ${json.error}`));
        if (error || !json) return reject(new Error(`iperf3 client failed: ${error?.message ?? 'no JSON output'}`));
        resolve(json);
      },
    );
    topology.adoptPid(child.pid!); // killed with the lab on Ctrl-C
  });
}

/** Single-stream TCP goodput as the receiver saw it, Gbit/s. */
export async function tcpGbps(topology: Topology, pod: PodNet, serverIp: string, port: number, seconds: number): Promise<number> {
  const json = await client(topology, pod, ['--client', serverIp, '--port', String(port), '--time', String(seconds)], (seconds + 10) * 1000);
  if (!json.end.sum_received) throw new Error('iperf3 reported no received total');
  return json.end.sum_received.bits_per_second / 1e9;
}

export interface UdpRate {
  /** datagrams the receiver got per second, thousands */
  receivedKpps: number;
  sentKpps: number;
}

/** 64-byte UDP payloads, sent as fast as the client can (-b 0). */
export async function udp64Kpps(topology: Topology, pod: PodNet, serverIp: string, port: number, seconds: number): Promise<UdpRate> {
  const json = await client(
    topology,
    pod,
    ['--client', serverIp, '--port', String(port), '--time', String(seconds), '--udp', '--length', '64', '--bitrate', '0'],
    (seconds + 10) * 1000,
  );
  const sum = json.end.sum;
  if (!sum) throw new Error('iperf3 reported no UDP totals');
  return { receivedKpps: (sum.packets - sum.lost_packets) / sum.seconds / 1000, sentKpps: sum.packets / sum.seconds / 1000 };
}
