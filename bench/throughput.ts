// Figure 2: TCP goodput and 64-byte UDP packet rate between the lab's client and server pods, with
// (a) no policy, (b) our programs enforcing the server's 10,000-rule ingress policy (the traffic
// matches the last rule) and (c) the same rules as iptables FORWARD rules in the node netns; also the
// 10-rule versions of (b) and (c), to show what the rule count alone costs.
//
// Rounds are interleaved (every configuration once per round, in a rotating order) and each figure
// is the median over rounds, because two cores shared by iperf3's two ends and the softirq work make
// single runs noisy. Ratios are medians of (b) or (c) over the median of (a).
//
// Our programs track connections: after the first packet of a flow, the 10,000 rules are not looked
// at again for it (conntrack hit). That is the design, and it is what this figure measures; the
// per-packet figure measures new flows.
import type { EbpfDataplane } from '../agent/datapath/ebpf-dataplane.ts';
import type { BundleIssuer } from './bundles.ts';
import { startIperfServer, tcpGbps, udp64Kpps } from './iperf.ts';
import { forwardRuleCount, type IptablesBackend, iptablesRuleSet } from './iptables.ts';
import { type BenchLab, IPERF_PORT } from './lab.ts';
import { progress } from './progress.ts';
import { BENCH_NAMESPACE, benchPolicySet, benchRules } from './rules.ts';
import { type Sample, sample } from './stats.ts';

export interface ThroughputOptions {
  /** Rule counts to run both dataplanes with (the first is the headline, 10,000). */
  ruleCounts: readonly number[];
  rounds: number;
  seconds: number;
  iptablesBackend: IptablesBackend;
  nextRevision(): number;
}

export interface ConfigurationResult {
  name: string;
  dataplane: 'none' | 'ebpf' | 'iptables';
  rules: number;
  tcpGbps: Sample;
  udpKpps: Sample;
  /** UDP datagrams the client managed to send (the receiver's figure is the one that counts). */
  udpSentKpps: Sample;
}

interface Configuration {
  name: string;
  dataplane: ConfigurationResult['dataplane'];
  rules: number;
  enter(): Promise<void>;
  leave(): Promise<void>;
  /** After a round: evidence that the configuration really was in the path (throws if not). */
  check?(): Promise<void>;
}

function ebpfConfiguration(lab: BenchLab, dataplane: EbpfDataplane, issuer: BundleIssuer, rules: number, nextRevision: () => number): Configuration {
  const spec = { count: rules, clientIp: lab.client.ip, clientPort: IPERF_PORT };
  const policy = benchPolicySet(spec);
  const empty = benchPolicySet(null);
  const server = `${BENCH_NAMESPACE}/server`;
  return {
    name: `ebpf-${rules}`,
    dataplane: 'ebpf',
    rules,
    async enter() {
      const report = await dataplane.apply({ bundle: issuer.payload(nextRevision(), policy), inventory: lab.inventory() });
      if (!report.applied || report.errors.length > 0) throw new Error(`eBPF apply failed: ${JSON.stringify(report.errors)}`);
      if (!dataplane.attached().some((a) => a.ifname === lab.server.hostIfName)) throw new Error('no program attached to the server pod');
    },
    async leave() {
      // nothing selects any pod any more: every program is detached
      const report = await dataplane.apply({ bundle: issuer.payload(nextRevision(), empty), inventory: lab.inventory() });
      if (!report.applied || dataplane.attached().length > 0) throw new Error('eBPF programs did not detach');
    },
    async check() {
      // the measured traffic was decided by the last rule of the server's program
      const counters = dataplane.ruleCounters(server, 'ingress');
      const last = counters.find((c) => c.rule.ruleIndex === rules - 1);
      if (!last || last.count.packets === 0n) {
        throw new Error(`the last rule of the ${rules}-rule program counted no packets`);
      }
    },
  };
}

function iptablesConfiguration(lab: BenchLab, rules: number, backend: IptablesBackend): Configuration {
  const set = iptablesRuleSet(
    lab.topology.nodeNetns,
    benchRules({ count: rules, clientIp: lab.client.ip, clientPort: IPERF_PORT }),
    lab.server.ip,
    lab.client.ip,
    backend,
  );
  return {
    name: `iptables-${rules}`,
    dataplane: 'iptables',
    rules,
    async enter() {
      await set.install();
      const n = await forwardRuleCount(lab.topology.nodeNetns);
      if (n !== set.count) throw new Error(`FORWARD holds ${n} rules, expected ${set.count}`);
    },
    leave: () => set.remove(),
  };
}

const noPolicy: Configuration = { name: 'none', dataplane: 'none', rules: 0, enter: async () => {}, leave: async () => {} };

export async function measureThroughput(
  lab: BenchLab,
  dataplane: EbpfDataplane,
  issuer: BundleIssuer,
  options: ThroughputOptions,
): Promise<ConfigurationResult[]> {
  const configurations = [
    noPolicy,
    ...options.ruleCounts.flatMap((n) => [
      ebpfConfiguration(lab, dataplane, issuer, n, options.nextRevision),
      iptablesConfiguration(lab, n, options.iptablesBackend),
    ]),
  ];
  const server = await startIperfServer(lab.topology, lab.server, IPERF_PORT);
  const runs = new Map(configurations.map((c) => [c.name, { tcp: [] as number[], udp: [] as number[], sent: [] as number[] }]));
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (let k = 0; k < configurations.length; k++) {
        const c = configurations[(round + k) % configurations.length]!;
        await c.enter();
        try {
          const tcp = await tcpGbps(lab.topology, lab.client, lab.server.ip, IPERF_PORT, options.seconds);
          const udp = await udp64Kpps(lab.topology, lab.client, lab.server.ip, IPERF_PORT, options.seconds);
          await c.check?.();
          const r = runs.get(c.name)!;
          r.tcp.push(tcp);
          r.udp.push(udp.receivedKpps);
          r.sent.push(udp.sentKpps);
          progress(
            `throughput round ${round + 1}/${options.rounds} ${c.name}: TCP ${tcp.toFixed(2)} Gbit/s, UDP64 ${udp.receivedKpps.toFixed(0)} kpps received (${udp.sentKpps.toFixed(0)} sent)`,
          );
        } finally {
          await c.leave();
        }
      }
    }
  } finally {
    server.stop();
  }
  return configurations.map((c) => {
    const r = runs.get(c.name)!;
    return { name: c.name, dataplane: c.dataplane, rules: c.rules, tcpGbps: sample(r.tcp), udpKpps: sample(r.udp), udpSentKpps: sample(r.sent) };
  });
}
