// Key `xdp` (issue 13 item 3): the same deny (a source net, as a doNotTrack rule) at XDP and in the
// agent's tc program, two ways, interleaved rounds, medians with their spread.
//
// 1. denyNs / tcDenyNs: mean ns per packet from BPF_PROG_TEST_RUN (`repeat` runs on one frame) of
//    the host interface's XDP program (agent/datapath/xdp) and of the agent's tc ingress program for
//    a pod whose Calico policy denies the same net first (codegen/program.ts, private shared maps).
// 2. softirq CPU per million dropped packets on the receiving side: a flood from outside the node
//    (lab/net/host-link.ts: bench/loadgen.c's UDP mode, a new flow per datagram, every source in
//    the denied net) at the node's host interface, with the XDP program attached by the eBPF
//    dataplane (a HostEndpoint and a doNotTrack policy), then with the tc program attached (tcx
//    ingress) instead. CPU is the softirq time of /proc/stat summed over all CPUs during the flood
//    (USER_HZ ticks: 10 ms resolution, and everything else softirq does on the machine meanwhile
//    counts too), divided by the drops each program counted.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { compileDirection } from '../agent/datapath/codegen/program.ts';
import { createEbpfDataplaneWith } from '../agent/datapath/ebpf-dataplane.ts';
import { type LoadedProgram, loadCompiledProgram } from '../agent/datapath/load.ts';
import { closeSharedMaps, createSharedMaps } from '../agent/datapath/shared-maps.ts';
import { type LoadedXdpProgram, loadXdpProgram } from '../agent/datapath/xdp/load.ts';
import { planHostProtection } from '../agent/datapath/xdp/plan.ts';
import { buildXdpTables } from '../agent/datapath/xdp/tables.ts';
import { attachTcx } from '../bpf/kernel/attach/tcx.ts';
import { XdpAction } from '../bpf/kernel/constants.ts';
import { ifindexOf, withNetns } from '../bpf/kernel/netns.ts';
import { testRun } from '../bpf/kernel/testrun.ts';
import { createHostLink } from '../lab/net/host-link.ts';
import { resolveEndpointPolicies } from '../policy/evaluation/resolve.ts';
import { inventorySchema } from '../policy/inventory.ts';
import type { PolicySet } from '../policy/ir.ts';
import { policySetFromObjects } from '../policy/policy-set-from-objects.ts';
import { createBundleIssuer } from './bundles.ts';
import { TcpFlag, tcpFrame } from './packets.ts';
import { progress } from './progress.ts';
import { type Sample, sample } from './stats.ts';

const DENIED_NET = '203.0.113.0/24';
const FLOOD_FROM = '203.0.113.1';
const POD = '198.18.0.10';
const TCX_DROP = 2;
const NODE = 'bench-xdp-node';

export interface XdpBench {
  denyNs: Sample;
  tcDenyNs: Sample;
  /** Softirq CPU seconds per million packets dropped, per round. */
  xdpSoftirqPerMillion: Sample;
  tcSoftirqPerMillion: Sample;
  /** Packets the flood sent per round (median), and the XDP mode it met. */
  floodPackets: number;
  xdpMode: string;
}

const ruleOf = (extra: Record<string, unknown> = {}) => ({ action: 'Deny', source: { nets: [DENIED_NET] }, ...extra });

/** The host endpoint, and the same deny as a doNotTrack policy on it. */
function hostObjects(interfaceName: string): unknown[] {
  return [
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'HostEndpoint',
      metadata: { name: 'bench-ext', labels: { role: 'edge' } },
      spec: { node: NODE, interfaceName },
    },
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'drop-net' },
      spec: { selector: "role == 'edge'", doNotTrack: true, applyOnForward: true, ingress: [ruleOf()] },
    },
  ];
}

/** The same deny first in a pod's (tracked) policy, then allow the rest. */
function podObjects(): unknown[] {
  return [
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'drop-net' },
      spec: { selector: "app == 'server'", types: ['Ingress'], ingress: [ruleOf(), { action: 'Allow' }] },
    },
  ];
}

const inventory = inventorySchema.parse({
  namespaces: [{ name: 'bench' }],
  endpoints: [{ namespace: 'bench', name: 'server', labels: { app: 'server' }, ipv4: [POD], hostInterface: 'lo' }],
});

function loadXdp(): LoadedXdpProgram {
  const plan = planHostProtection(policySetFromObjects(hostObjects('lo')), inventory, NODE);
  const tables = buildXdpTables(plan.interfaces[0]!.rules);
  if (!tables.ok) throw new Error(tables.message);
  return loadXdpProgram('pal_xdp_bench', tables.tables, 1);
}

function loadTc(shared: ReturnType<typeof createSharedMaps>): LoadedProgram {
  const resolved = resolveEndpointPolicies(policySetFromObjects(podObjects()), inventory, { endpoints: 'local' }).get('bench/server');
  if (!resolved?.ingress) throw new Error('the bench policy does not select the server');
  return loadCompiledProgram(compileDirection('ingress', resolved.ingress), shared);
}

/** Softirq time of all CPUs so far, in seconds (/proc/stat counts USER_HZ = 100 ticks a second). */
function softirqSeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  return Number(cpu[7]) / 100;
}

export async function measureXdp(options: { rounds: number; repeat: number; floodSeconds: number }): Promise<XdpBench> {
  const shared = createSharedMaps({ conntrack: 4096, conntrack6: 4096, fragments: 256, flowRing: 256 * 1024 });
  const xdp = loadXdp();
  const tc = loadTc(shared);
  const link = createHostLink('pbx');
  const dataplane = createEbpfDataplaneWith({ nodeName: NODE, logger: pino({ level: 'silent' }), netns: link.nodeNetns });
  try {
    const frame = tcpFrame('203.0.113.5', POD, 40000, 80, TcpFlag.SYN);
    const run = (program: LoadedXdpProgram['program'], want: number): number => {
      const result = testRun(program, { data: frame, repeat: options.repeat });
      if (result.retval !== want) throw new Error(`${program.name} returned ${result.retval}, expected ${want}`);
      return result.durationNs;
    };
    const protectedSet = policySetFromObjects(hostObjects(link.hostIf));
    const issuer = await createBundleIssuer();
    let revision = 0;
    const apply = (policy: PolicySet) => dataplane.apply({ bundle: issuer.payload(++revision, policy), inventory });
    const applied = await apply(protectedSet);
    if (applied.errors.length > 0) throw new Error(`host protection: ${JSON.stringify(applied.errors)}`);
    const xdpDrops = () => dataplane.untrackedHits().reduce((n, h) => n + h.packets, 0);
    const tcDrops = () => [...tc.readCounters().values()].reduce((n, c) => n + Number(c.packets), 0);
    const ifindex = withNetns(link.nodeNetns, () => ifindexOf(link.hostIf));

    const flood = (drops: () => number): { perMillion: number; sent: number } => {
      const arrived = link.udpArrived();
      const dropped = drops();
      const cpu = softirqSeconds();
      const sent = link.flood({ srcBase: FLOOD_FROM, srcCount: 250, seconds: options.floodSeconds, port: 9 });
      const cpuUsed = softirqSeconds() - cpu;
      const count = drops() - dropped;
      if (link.udpArrived() !== arrived) throw new Error('part of the flood reached the node: the deny did not hold');
      return { perMillion: cpuUsed / (count / 1e6), sent };
    };

    const times = { xdp: [] as number[], tc: [] as number[], xdpCpu: [] as number[], tcCpu: [] as number[], sent: [] as number[] };
    for (let round = 0; round < options.rounds; round++) {
      progress(`xdp: round ${round + 1} of ${options.rounds}`);
      times.xdp.push(run(xdp.program, XdpAction.DROP));
      times.tc.push(run(tc.program, TCX_DROP));
      const atXdp = flood(xdpDrops);
      times.xdpCpu.push(atXdp.perMillion);
      times.sent.push(atXdp.sent);
      // The tc program in front instead: XDP detached (no host endpoint), tcx ingress on, for this flood only.
      await apply(policySetFromObjects([]));
      const attachment = withNetns(link.nodeNetns, () => attachTcx(tc.program, { ifindex, direction: 'ingress' }));
      try {
        times.tcCpu.push(flood(tcDrops).perMillion);
      } finally {
        withNetns(link.nodeNetns, () => attachment.detach());
      }
      await apply(protectedSet);
    }
    return {
      denyNs: sample(times.xdp),
      tcDenyNs: sample(times.tc),
      xdpSoftirqPerMillion: sample(times.xdpCpu),
      tcSoftirqPerMillion: sample(times.tcCpu),
      floodPackets: sample(times.sent).median,
      xdpMode: dataplane.untrackedHits()[0]?.mode ?? 'none',
    };
  } finally {
    await dataplane.uninstall();
    link.destroy();
    xdp.close();
    tc.close();
    closeSharedMaps(shared);
  }
}
