// Issue 13 item 4, vertical scale: one node with 250 local pods (Calico's "more than 110 pods per
// node"), every one selected by the 10,000-rule policy of rules.ts, so each of the 250 host veths
// carries the 10,000-rule ingress program (and the egress one).
//
// Its own topology (lab/net/topology.ts: 250 pod netns with veths into one node netns, a private
// bpffs), apart from the bench lab's three pods. Two figures:
// - attachMs: as attach.ts measures it (signed bundle bytes in hand, through the acceptance check and
//   the dataplane's apply() until it returns), replacing a running 10-rule revision on all 250
//   endpoints with the 10,000-rule bundle; a new rule variant each round, so nothing is reused.
// - the real agent process (agent-memory.ts) restoring and applying the same 10,000-rule bundle over
//   the 250 local endpoints: its VmRSS (and VmHWM), and process start to "bundle applied".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { pino } from 'pino';
import { createEbpfDataplaneWith, type EbpfDataplane } from '../agent/datapath/ebpf-dataplane.ts';
import { ensureBpffs } from '../bpf/kernel/pin.ts';
import { unwrap } from '../lab/errors.ts';
import { createTopology } from '../lab/net/topology.ts';
import { onExitSync } from '../lab/run/exit-hooks.ts';
import { inventorySchema } from '../policy/inventory.ts';
import { type AgentLab, type AgentMemoryResult, measureAgentMemory } from './agent-memory.ts';
import type { AgentRuntime } from './agent-runtime.ts';
import type { BundleIssuer } from './bundles.ts';
import { type BenchLab, IPERF_PORT } from './lab.ts';
import { progress } from './progress.ts';
import { BENCH_NAMESPACE, benchNamespace, benchPolicySet, SERVER_LABELS } from './rules.ts';
import { type Sample, sample } from './stats.ts';

const PORTS = [{ port: IPERF_PORT, protocol: 'TCP' as const }];

export interface PodsPerNodeOptions {
  endpoints: number;
  rules: number;
  rounds: number;
  runtime: AgentRuntime;
  nextRevision(): number;
  appliedRevision(): number;
}

export interface PodsPerNodeResult {
  endpoints: number;
  rules: number;
  /** Bundle bytes in hand to apply() returned, all endpoints enforced. */
  attachMs: Sample;
  agent: AgentMemoryResult;
}

async function applyOrThrow(dataplane: EbpfDataplane, input: Parameters<EbpfDataplane['apply']>[0]): Promise<void> {
  const report = await dataplane.apply(input);
  if (!report.applied || report.errors.length > 0) throw new Error(`apply failed: ${JSON.stringify(report.errors).slice(0, 500)}`);
  const attached = new Set(dataplane.attached().map((a) => a.ifname));
  const local = input.inventory.endpoints.filter((e) => e.hostInterface !== undefined);
  const missing = local.filter((e) => !attached.has(e.hostInterface!));
  if (missing.length > 0) throw new Error(`${missing.length} of ${local.length} endpoints have no program attached`);
}

export async function measurePodsPerNode(issuer: BundleIssuer, options: PodsPerNodeOptions): Promise<PodsPerNodeResult> {
  progress(`pods per node: building ${options.endpoints} pods in one node netns`);
  const bpffsRoot = mkdtempSync('/run/palisade-bench-pods-');
  const unmount = () => {
    spawnSync('umount', ['-l', bpffsRoot], { stdio: 'ignore' });
    rmSync(bpffsRoot, { recursive: true, force: true });
  };
  const forget = onExitSync(unmount);
  ensureBpffs(bpffsRoot);
  const names = Array.from({ length: options.endpoints }, (_, i) => `pod-${i}`);
  const topology = unwrap(
    await createTopology(
      names.map((name) => ({ namespace: BENCH_NAMESPACE, name, ports: PORTS })),
      { prefix: 'ppods', ipv6: false },
    ),
  );
  const pods = names.map((name) => topology.pods.get(`${BENCH_NAMESPACE}/${name}`)!);
  const inventory = inventorySchema.parse({
    namespaces: [benchNamespace],
    endpoints: pods.map((p) => ({
      namespace: p.namespace,
      name: p.name,
      labels: { ...SERVER_LABELS },
      ipv4: [p.ip],
      ports: PORTS,
      hostInterface: p.hostIfName,
    })),
  });
  // the policy's client rule names an address outside the node: nothing here sends traffic
  const clientIp = '198.18.255.1';
  const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const dataplanes: EbpfDataplane[] = [];
  const node: AgentLab = {
    topology,
    bpffsRoot,
    client: { ip: clientIp } as BenchLab['client'],
    dataplane(nodeName) {
      const dp = createEbpfDataplaneWith({ nodeName, logger, bpffsRoot, netns: topology.nodeNetns, onFlow: () => {}, flowPollMs: 100 });
      dataplanes.push(dp);
      return dp;
    },
    inventory: (opts = {}) => (opts.extra?.length ? inventorySchema.parse({ ...inventory, endpoints: [...inventory.endpoints, ...opts.extra] }) : inventory),
  };
  try {
    const dataplane = node.dataplane('bench-pods');
    await applyOrThrow(dataplane, {
      bundle: issuer.payload(options.nextRevision(), benchPolicySet({ count: 10, clientIp, clientPort: IPERF_PORT })),
      inventory,
    });
    const runs: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const jws = await issuer.sign(options.nextRevision(), benchPolicySet({ count: options.rules, clientIp, clientPort: IPERF_PORT, variant: round + 1 }));
      const t0 = performance.now();
      const payload = await issuer.verify(jws, options.appliedRevision());
      await applyOrThrow(dataplane, { bundle: payload, inventory });
      runs.push(performance.now() - t0);
      progress(
        `pods per node: round ${round + 1}/${options.rounds}, ${options.rules} rules on ${options.endpoints} endpoints attached in ${runs.at(-1)!.toFixed(0)} ms`,
      );
      // back to the small revision, so the next round replaces it again
      await applyOrThrow(dataplane, {
        bundle: issuer.payload(options.nextRevision(), benchPolicySet({ count: 10, clientIp, clientPort: IPERF_PORT })),
        inventory,
      });
    }
    await dataplane.uninstall(); // the agent attaches to the same veths
    const agent = await measureAgentMemory(node, issuer, { rules: options.rules, endpoints: 0, revision: options.nextRevision(), runtime: options.runtime });
    return { endpoints: options.endpoints, rules: options.rules, attachMs: sample(runs), agent };
  } finally {
    for (const dp of dataplanes) {
      try {
        await dp.close();
      } catch {
        // the netns teardown detaches everything anyway
      }
    }
    await topology.destroy();
    unmount();
    forget();
  }
}
