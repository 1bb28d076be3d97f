// `npm run bench -- --only new-flows`: figure 2's new-flow workloads alone (connections per second
// and 64-byte UDP where every datagram is a new flow) at 10,000 rules, in the configurations the
// issue judges them against (no policy, our programs, iptables with ESTABLISHED first, nftables
// stateful), in a few minutes instead of the whole bench's fifteen: for comparing a change to the
// new-flow path before and after on the same machine. Same interleaved rounds, medians and program
// cost probe as throughput.ts; no TCP or single-flow UDP runs.
import type { EbpfDataplane } from '../agent/datapath/ebpf-dataplane.ts';
import type { BundleIssuer } from './bundles.ts';
import { type FlowCost, withFlowCost } from './cost-probe.ts';
import type { IptablesBackend } from './iptables.ts';
import { type BenchLab, IPERF_PORT } from './lab.ts';
import type { NewFlowLoad } from './new-flows.ts';
import { progress } from './progress.ts';
import { benchPolicySet } from './rules.ts';
import { round, type Sample, sample, withSpread } from './stats.ts';
import { type Configuration, ebpfConfiguration, iptablesConfiguration, nftConfiguration, noPolicy } from './throughput.ts';

const RULES = 10_000;

export interface NewFlowRoundsOptions {
  rounds: number;
  seconds: number;
  iptablesBackend: IptablesBackend;
  nextRevision(): number;
  newFlows: NewFlowLoad;
}

interface Runs {
  conn: number[];
  udpNew: number[];
  udpNewSent: number[];
}

export interface NewFlowRoundsResult {
  configurations: { name: string; conn: Sample; udpNew: Sample; udpNewSent: Sample }[];
  ceiling: { conn: Sample; udpNew: Sample };
  /** Our programs, one extra run per workload with BPF run-time statistics on. */
  programCost: { conn: FlowCost; udpNew: FlowCost };
}

export async function measureNewFlowRounds(
  lab: BenchLab,
  dataplane: EbpfDataplane,
  issuer: BundleIssuer,
  options: NewFlowRoundsOptions,
): Promise<NewFlowRoundsResult> {
  const ebpf = ebpfConfiguration(lab, dataplane, issuer, RULES, options.nextRevision);
  const configurations: Configuration[] = [noPolicy, ebpf, iptablesConfiguration(lab, RULES, options.iptablesBackend, true), nftConfiguration(lab, RULES)];
  const cleared = await dataplane.apply({ bundle: issuer.payload(options.nextRevision(), benchPolicySet(null)), inventory: lab.inventory() });
  if (!cleared.applied || dataplane.attached().length > 0) throw new Error('eBPF programs did not detach before the new-flow runs');
  const runs = new Map<string, Runs>(configurations.map((c) => [c.name, { conn: [], udpNew: [], udpNewSent: [] }]));
  const ceiling = { conn: [] as number[], udpNew: [] as number[] };
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < configurations.length; k++) {
      const c = configurations[(round + k) % configurations.length]!;
      await c.enter();
      try {
        const conn = await options.newFlows.connPerSec(options.seconds);
        const udpNew = await options.newFlows.udpNewFlows(options.seconds, IPERF_PORT);
        await c.check?.();
        const r = runs.get(c.name)!;
        r.conn.push(conn);
        r.udpNew.push(udpNew.receivedKpps);
        r.udpNewSent.push(udpNew.sentKpps);
        progress(
          `new flows round ${round + 1}/${options.rounds} ${c.name}: ${conn.toFixed(0)} conn/s, UDP64 ${udpNew.receivedKpps.toFixed(0)} kpps received (${udpNew.sentKpps.toFixed(0)} sent)`,
        );
      } finally {
        await c.leave();
      }
    }
    const limit = await options.newFlows.ceiling(options.seconds, IPERF_PORT);
    ceiling.conn.push(limit.connPerSec);
    ceiling.udpNew.push(limit.udpKpps);
  }
  await ebpf.enter();
  let programCost: NewFlowRoundsResult['programCost'];
  try {
    const conn = await withFlowCost(() => options.newFlows.connPerSec(options.seconds));
    const udpNew = await withFlowCost(() => options.newFlows.udpNewFlows(options.seconds, IPERF_PORT));
    programCost = { conn: conn.cost, udpNew: udpNew.cost };
  } finally {
    await ebpf.leave();
  }
  return {
    configurations: configurations.map((c) => {
      const r = runs.get(c.name)!;
      return { name: c.name, conn: sample(r.conn), udpNew: sample(r.udpNew), udpNewSent: sample(r.udpNewSent) };
    }),
    ceiling: { conn: sample(ceiling.conn), udpNew: sample(ceiling.udpNew) },
    programCost,
  };
}

/** The bench's connRate and udp64NewFlows keys (10,000 rules), with every configuration's spread beside them. */
export function newFlowRoundsJson(result: NewFlowRoundsResult, environment: Record<string, string | number>): Record<string, unknown> {
  const of = (name: string) => result.configurations.find((c) => c.name === name)!;
  const none = of('none');
  const ratio = (name: string, pick: (c: NewFlowRoundsResult['configurations'][number]) => Sample) =>
    round(pick(of(`${name}-${RULES}`)).median / pick(none).median, 3);
  const conn = (c: NewFlowRoundsResult['configurations'][number]) => c.conn;
  const udp = (c: NewFlowRoundsResult['configurations'][number]) => c.udpNew;
  return {
    environment,
    connRate: {
      baselinePerSec: round(none.conn.median, 0),
      ebpf10kRatio: ratio('ebpf', conn),
      iptablesCt10kRatio: ratio('iptables-ct', conn),
      nftSet10kRatio: ratio('nft-set', conn),
      generatorCeilingPerSec: round(result.ceiling.conn.median, 0),
    },
    udp64NewFlows: {
      baselineKpps: round(none.udpNew.median, 1),
      ebpf10kRatio: ratio('ebpf', udp),
      iptablesCt10kRatio: ratio('iptables-ct', udp),
      nftSet10kRatio: ratio('nft-set', udp),
      generatorCeilingKpps: round(result.ceiling.udpNew.median, 1),
    },
    detail: result.configurations.map((c) => ({
      configuration: c.name,
      connPerSec: withSpread(c.conn, 0),
      udp64NewFlowsReceivedKpps: withSpread(c.udpNew, 1),
      udp64NewFlowsSentKpps: withSpread(c.udpNewSent, 1),
    })),
    programCost: {
      connRate: {
        programNsPerRun: round(result.programCost.conn.programNsPerRun, 0),
        userspaceCpuPercent: round(result.programCost.conn.userspaceCpuPercent, 1),
      },
      udp64NewFlows: {
        programNsPerRun: round(result.programCost.udpNew.programNsPerRun, 0),
        userspaceCpuPercent: round(result.programCost.udpNew.userspaceCpuPercent, 1),
      },
    },
  };
}
