// Fair shares under a tenant ceiling (issue 13 item 6): 2, then 4, lab pods of equal demand (one
// iperf3 TCP stream each, to the server pod, started together) under one 80 Mbit/s egress ceiling
// enforced by the eBPF dataplane on their host veths. Everything is taken over one window where all
// of them stream (a pod whose SYN the full ceiling dropped starts a second late, so the iperf3
// averages cover different windows): each pod's goodput from the server's TCP sockets
// (`ss` bytes_received per peer), and the sum as the L2 rate the server's eth0 received, the unit
// the ceiling counts (as in test/dataplane/bandwidth/lab-iperf.test.ts). Rounds alternate the pod
// counts.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { PodNet } from '../lab/net/topology.ts';
import { inventorySchema } from '../policy/inventory.ts';
import { policySetFromObjects } from '../policy/policy-set-from-objects.ts';
import type { BundleIssuer } from './bundles.ts';
import type { FairnessRun } from './fairness-report.ts';
import { startIperfServer, tcpGbps } from './iperf.ts';
import type { BenchLab } from './lab.ts';
import { progress } from './progress.ts';
import { benchNamespace } from './rules.ts';

const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const CEILING_MBPS = 80;
const FIRST_PORT = 5301;
/** The sum's window starts after the ceiling's initial burst (250 ms at the rate) and the streams' slow start. */
const WINDOW_START_MS = 2000;
/** ... and ends well before the streams do: reading the counters spawns processes, slow on a loaded machine. */
const WINDOW_END_MARGIN_MS = 1500;

/** Payload bytes the pod's established TCP sockets received so far, by peer address. */
async function socketBytesByPeer(pod: PodNet): Promise<Map<string, number>> {
  const { stdout } = await execFileAsync('ip', ['netns', 'exec', pod.netns, 'ss', '-tinH', 'state', 'established']);
  const out = new Map<string, number>();
  // per socket: "<recv-q> <send-q> <local> <peer>" (an IPv4 peer of the dual-stack server as
  // [::ffff:a.b.c.d]:port), then a tab-indented line of its info, bytes_received:N among it
  let peer: string | undefined;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('\t')) {
      const address = line.trim().split(/\s+/).at(-1) ?? '';
      peer = address.slice(0, address.lastIndexOf(':')).replace(/^\[(::ffff:)?|\]$/g, '');
      continue;
    }
    const bytes = /bytes_received:(\d+)/.exec(line)?.[1];
    if (peer && bytes) out.set(peer, (out.get(peer) ?? 0) + Number(bytes));
  }
  return out;
}

/** Bytes the pod's eth0 received so far. */
async function receivedBytes(pod: PodNet): Promise<number> {
  const { stdout } = await execFileAsync('ip', ['-j', '-s', '-n', pod.netns, 'link', 'show', 'dev', 'eth0']);
  return (JSON.parse(stdout) as { stats64: { rx: { bytes: number } } }[])[0]!.stats64.rx.bytes;
}

export async function measureFairness(
  lab: BenchLab,
  issuer: BundleIssuer,
  options: { podCounts: readonly number[]; rounds: number; seconds: number; revision: number },
): Promise<FairnessRun[]> {
  const { topology, server, tenants } = lab;
  const dataplane = lab.dataplane('fairness');
  const runs: FairnessRun[] = [];
  const servers = await Promise.all(tenants.map((_, i) => startIperfServer(topology, server, FIRST_PORT + i)));
  try {
    // The server stands for a peer on another node: no host interface, so outside this node's ceiling.
    const inventory = inventorySchema.parse({
      namespaces: [benchNamespace],
      endpoints: [
        { namespace: server.namespace, name: server.name, labels: { app: 'server' }, ipv4: [server.ip], ports: [] },
        ...tenants.map((p) => ({ namespace: p.namespace, name: p.name, labels: { app: 'tenant' }, ipv4: [p.ip], ports: [], hostInterface: p.hostIfName })),
      ],
    });
    const rate = CEILING_MBPS * 1e6;
    const policy = policySetFromObjects([], { limits: { bandwidthCeiling: { egress: { rateBitsPerSecond: rate, burstBytes: rate / 8 / 20 } } } });
    const report = await dataplane.apply({ bundle: issuer.payload(options.revision, policy), inventory });
    if (!report.applied || report.errors.length > 0) throw new Error(`fairness: the ceiling was not applied: ${JSON.stringify(report.errors)}`);
    for (let round = 0; round < options.rounds; round++) {
      for (const pods of options.podCounts) {
        progress(`fairness: round ${round + 1}, ${pods} pods for ${options.seconds} s`);
        await sleep(1000); // the ceiling drains what the last run left
        const clients = tenants.slice(0, pods);
        const flows = Promise.all(clients.map((pod, i) => tcpGbps(topology, pod, server.ip, FIRST_PORT + i, options.seconds)));
        await sleep(WINDOW_START_MS);
        const [fromSockets, from, started] = [await socketBytesByPeer(server), await receivedBytes(server), process.hrtime.bigint()];
        await sleep(options.seconds * 1000 - WINDOW_START_MS - WINDOW_END_MARGIN_MS);
        const [toSockets, to, ended] = [await socketBytesByPeer(server), await receivedBytes(server), process.hrtime.bigint()];
        const active = dataplane.bandwidthCounters().find((c) => c.id === 'tenant/egress')?.activeEndpoints ?? 0;
        await flows;
        const mbpsOf = (bytes: number) => (bytes * 8) / (Number(ended - started) / 1e9) / 1e6;
        const mbps = clients.map((pod) => {
          const [a, b] = [fromSockets.get(pod.ip), toSockets.get(pod.ip)];
          if (a === undefined || b === undefined)
            throw new Error(`fairness: no TCP socket of ${pod.key} (${pod.ip}) at the server over the window: ${[...toSockets.keys()].join(', ')}`);
          return mbpsOf(b - a);
        });
        runs.push({ pods, mbps, sumMbps: mbpsOf(to - from), activeEndpoints: active });
      }
    }
  } finally {
    for (const s of servers) s.stop();
    await dataplane.uninstall();
  }
  return runs;
}
