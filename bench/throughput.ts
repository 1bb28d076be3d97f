// Figure 2: what our programs cost the traffic between the lab's client and server pods, against
// the strongest in-kernel anchors (issue 13), with the server's 10,000-rule (and 10-rule) ingress
// policy (the measured traffic matches the last rule). Configurations:
//   none         no policy: the physical limit of this lab
//   ebpf         our programs (EbpfDataplane on the pods' host veths)
//   iptables     the rules as FORWARD rules, no conntrack shortcut (issue 5's anchor, a straw man)
//   iptables-ct  the same with ESTABLISHED,RELATED accepted first (Calico's iptables mode, kube-proxy)
//   nft-set      nftables stateful: ct state established,related accept, then one concatenated
//                interval-set lookup (Calico's and kube-proxy's nftables modes; nftables.ts)
// Workloads, each run in every configuration:
//   tcp          established TCP goodput (iperf3, one stream): conntrack hits after the first packet
//   udp64        64-byte UDP from one iperf3 flow, kpps at the receiver
//   conn         new TCP connections per second (new-flows.ts): every flow classified and tracked
//   udpNew       64-byte UDP where every datagram is a new flow, kpps at the receiver (new-flows.ts)
//
// Rounds are interleaved (every configuration once per round, in a rotating order) and each figure
// is the median over rounds, because two cores shared by the load's two ends and the softirq work
// make single runs noisy. Ratios are medians of a configuration over the median of no policy.
import type { EbpfDataplane } from '../agent/datapath/ebpf-dataplane.ts';
import type { BundleIssuer } from './bundles.ts';
import { type FlowCost, withFlowCost } from './cost-probe.ts';
import { startIperfServer, tcpGbps, udp64Kpps } from './iperf.ts';
import { forwardRuleCount, type IptablesBackend, iptablesRuleSet } from './iptables.ts';
import { type BenchLab, IPERF_PORT } from './lab.ts';
import { CONN_PORT, NEW_FLOW_CIDR, type NewFlowLoad } from './new-flows.ts';
import { nftRuleSet } from './nftables.ts';
import { progress } from './progress.ts';
import { BENCH_NAMESPACE, benchPolicySet, benchRules, type RuleSetSpec } from './rules.ts';
import { type Sample, sample } from './stats.ts';

export interface ThroughputOptions {
  /** Rule counts to run both dataplanes with (the first is the headline, 10,000). */
  ruleCounts: readonly number[];
  rounds: number;
  seconds: number;
  iptablesBackend: IptablesBackend;
  nextRevision(): number;
  newFlows: NewFlowLoad;
}

export type DataplaneKind = 'none' | 'ebpf' | 'iptables' | 'iptables-ct' | 'nft-set';

export interface ConfigurationResult {
  name: string;
  dataplane: DataplaneKind;
  rules: number;
  tcpGbps: Sample;
  udpKpps: Sample;
  /** UDP datagrams the client managed to send (the receiver's figure is the one that counts). */
  udpSentKpps: Sample;
  connPerSec: Sample;
  /** 64-byte UDP, every datagram a new flow: received, and what the generator sent. */
  udpNewKpps: Sample;
  udpNewSentKpps: Sample;
  /** CPU of this process (our dataplane's userspace) during the new-flow workloads, % of one CPU. */
  userspaceCpuPercent: { conn: Sample; udpNew: Sample };
  /**
   * Our programs only: one extra run of each new-flow workload after the rounds with the kernel's BPF
   * run-time statistics on (they cost two clock reads per run, so the measured rounds run without).
   */
  programCost?: { conn: FlowCost & { perSec: number }; udpNew: FlowCost & { kpps: number } };
}

/** The rules of every configuration: the bench policy plus the new-flow generator's sources and port. */
const ruleSpec = (lab: BenchLab, count: number): RuleSetSpec => ({
  count,
  clientIp: lab.client.ip,
  clientPort: IPERF_PORT,
  newFlows: { cidr: NEW_FLOW_CIDR, connPort: CONN_PORT },
});

export interface Configuration {
  name: string;
  dataplane: ConfigurationResult['dataplane'];
  rules: number;
  enter(): Promise<void>;
  leave(): Promise<void>;
  /** After a round: evidence that the configuration really was in the path (throws if not). */
  check?(): Promise<void>;
}

export function ebpfConfiguration(lab: BenchLab, dataplane: EbpfDataplane, issuer: BundleIssuer, rules: number, nextRevision: () => number): Configuration {
  const policy = benchPolicySet(ruleSpec(lab, rules));
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

export function iptablesConfiguration(lab: BenchLab, rules: number, backend: IptablesBackend, stateful: boolean): Configuration {
  const set = iptablesRuleSet(lab.topology.nodeNetns, benchRules(ruleSpec(lab, rules)), lab.server.ip, backend, stateful);
  const dataplane = stateful ? 'iptables-ct' : 'iptables';
  return {
    name: `${dataplane}-${rules}`,
    dataplane,
    rules,
    async enter() {
      await set.install();
      const n = await forwardRuleCount(lab.topology.nodeNetns);
      if (n !== set.count) throw new Error(`FORWARD holds ${n} rules, expected ${set.count}`);
    },
    leave: () => set.remove(),
  };
}

export function nftConfiguration(lab: BenchLab, rules: number): Configuration {
  const set = nftRuleSet(lab.topology.nodeNetns, benchRules(ruleSpec(lab, rules)), lab.server.ip);
  return {
    name: `nft-set-${rules}`,
    dataplane: 'nft-set',
    rules,
    async enter() {
      await set.install();
      const n = await set.loadedCount();
      if (n !== set.count) throw new Error(`the nftables set holds ${n} entries, expected ${set.count}`);
    },
    leave: () => set.remove(),
  };
}

/** The new-flow load generator looped back in the client pod, once per round: what it can do at most here. */
export interface GeneratorCeiling {
  connPerSec: Sample;
  udpKpps: Sample;
}

/** This process's CPU between two readings, % of one CPU. */
const cpuPercent = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage, wallMs: number): number => ((b.user - a.user + b.system - a.system) / 1000 / wallMs) * 100;

export const noPolicy: Configuration = { name: 'none', dataplane: 'none', rules: 0, enter: async () => {}, leave: async () => {} };

export async function measureThroughput(
  lab: BenchLab,
  dataplane: EbpfDataplane,
  issuer: BundleIssuer,
  options: ThroughputOptions,
): Promise<{ configurations: ConfigurationResult[]; generatorCeiling: GeneratorCeiling }> {
  const configurations = [
    noPolicy,
    ...options.ruleCounts.flatMap((n) => [
      ebpfConfiguration(lab, dataplane, issuer, n, options.nextRevision),
      iptablesConfiguration(lab, n, options.iptablesBackend, false),
      iptablesConfiguration(lab, n, options.iptablesBackend, true),
      nftConfiguration(lab, n),
    ]),
  ];
  // whatever ran before (the attach figure) may have left a policy attached: no policy must mean none
  const cleared = await dataplane.apply({ bundle: issuer.payload(options.nextRevision(), benchPolicySet(null)), inventory: lab.inventory() });
  if (!cleared.applied || dataplane.attached().length > 0) throw new Error('eBPF programs did not detach before the throughput runs');
  const server = await startIperfServer(lab.topology, lab.server, IPERF_PORT);
  const ceilingRuns = { conn: [] as number[], udp: [] as number[] };
  const programCosts = new Map<string, NonNullable<ConfigurationResult['programCost']>>();
  const runs = new Map(
    configurations.map((c) => [
      c.name,
      {
        tcp: [] as number[],
        udp: [] as number[],
        sent: [] as number[],
        conn: [] as number[],
        udpNew: [] as number[],
        udpNewSent: [] as number[],
        connCpu: [] as number[],
        udpNewCpu: [] as number[],
      },
    ]),
  );
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (let k = 0; k < configurations.length; k++) {
        const c = configurations[(round + k) % configurations.length]!;
        await c.enter();
        try {
          const tcp = await tcpGbps(lab.topology, lab.client, lab.server.ip, IPERF_PORT, options.seconds);
          const udp = await udp64Kpps(lab.topology, lab.client, lab.server.ip, IPERF_PORT, options.seconds);
          const cpu0 = process.cpuUsage();
          const t0 = performance.now();
          const conn = await options.newFlows.connPerSec(options.seconds);
          const cpu1 = process.cpuUsage();
          const t1 = performance.now();
          const udpNew = await options.newFlows.udpNewFlows(options.seconds, IPERF_PORT);
          const cpu2 = process.cpuUsage();
          const t2 = performance.now();
          await c.check?.();
          const r = runs.get(c.name)!;
          r.tcp.push(tcp);
          r.udp.push(udp.receivedKpps);
          r.sent.push(udp.sentKpps);
          r.conn.push(conn);
          r.udpNew.push(udpNew.receivedKpps);
          r.udpNewSent.push(udpNew.sentKpps);
          r.connCpu.push(cpuPercent(cpu0, cpu1, t1 - t0));
          r.udpNewCpu.push(cpuPercent(cpu1, cpu2, t2 - t1));
          progress(
            `throughput round ${round + 1}/${options.rounds} ${c.name}: TCP ${tcp.toFixed(2)} Gbit/s, UDP64 ${udp.receivedKpps.toFixed(0)} kpps received (${udp.sentKpps.toFixed(0)} sent), ` +
              `${conn.toFixed(0)} conn/s, new-flow UDP64 ${udpNew.receivedKpps.toFixed(0)} kpps received (${udpNew.sentKpps.toFixed(0)} sent)`,
          );
        } finally {
          await c.leave();
        }
      }
      // once per round too, so the machine's load at the time shows in its spread like in the others'
      const ceiling = await options.newFlows.ceiling(options.seconds, IPERF_PORT);
      ceilingRuns.conn.push(ceiling.connPerSec);
      ceilingRuns.udp.push(ceiling.udpKpps);
      progress(
        `load generator ceiling round ${round + 1}/${options.rounds}: ${ceiling.connPerSec.toFixed(0)} conn/s, new-flow UDP64 ${ceiling.udpKpps.toFixed(0)} kpps`,
      );
    }
    for (const c of configurations.filter((x) => x.dataplane === 'ebpf')) {
      await c.enter();
      try {
        const conn = await withFlowCost(() => options.newFlows.connPerSec(options.seconds));
        const udpNew = await withFlowCost(() => options.newFlows.udpNewFlows(options.seconds, IPERF_PORT));
        programCosts.set(c.name, { conn: { ...conn.cost, perSec: conn.result }, udpNew: { ...udpNew.cost, kpps: udpNew.result.receivedKpps } });
        progress(
          `program cost ${c.name}: conn ${conn.cost.programNsPerRun.toFixed(0)} ns/run, ${conn.cost.userspaceCpuPercent.toFixed(1)}% userspace; ` +
            `new-flow UDP ${udpNew.cost.programNsPerRun.toFixed(0)} ns/run, ${udpNew.cost.userspaceCpuPercent.toFixed(1)}% userspace (${udpNew.result.receivedKpps.toFixed(0)} kpps)`,
        );
      } finally {
        await c.leave();
      }
    }
  } finally {
    server.stop();
  }
  const results = configurations.map((c): ConfigurationResult => {
    const r = runs.get(c.name)!;
    const cost = programCosts.get(c.name);
    return {
      ...(cost && { programCost: cost }),
      userspaceCpuPercent: { conn: sample(r.connCpu), udpNew: sample(r.udpNewCpu) },
      name: c.name,
      dataplane: c.dataplane,
      rules: c.rules,
      tcpGbps: sample(r.tcp),
      udpKpps: sample(r.udp),
      udpSentKpps: sample(r.sent),
      connPerSec: sample(r.conn),
      udpNewKpps: sample(r.udpNew),
      udpNewSentKpps: sample(r.udpNewSent),
    };
  });
  return { configurations: results, generatorCeiling: { connPerSec: sample(ceilingRuns.conn), udpKpps: sample(ceilingRuns.udp) } };
}
