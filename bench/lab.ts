// The bench's lab node: lab/net/topology.ts builds pods in their own netns routed through a node
// netns (the way a routed CNI wires a node), and the agent's eBPF dataplane attaches to the pods'
// host-side veths there, pinning under a bpffs mounted privately for this run, so nothing the bench
// does can touch a real agent's pins in /sys/fs/bpf.
//
// Pods: `server` (the policy selects it; iperf3 server), `client` (the traffic's source; no policy)
// and `server-2` (same labels as server, left out of the inventory until the add-endpoint timing);
// `tenant-1`..`tenant-4` share a tenant ceiling in the fairness figure (fairness.ts) alone.
//
// Cleanup: the topology kills the processes adopted into it and deletes the netns, which takes the
// veths, their tcx links and any iptables rules with them; the private bpffs is unmounted last, on
// the normal path (close) and, synchronously, on Ctrl-C / SIGTERM / exit (lab/run/exit-hooks.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Logger, pino } from 'pino';
import { createEbpfDataplaneWith, type EbpfDataplane } from '../agent/datapath/ebpf-dataplane.ts';
import { ensureBpffs } from '../bpf/kernel/pin.ts';
import { unwrap } from '../lab/errors.ts';
import { createTopology, type PodNet, type Topology } from '../lab/net/topology.ts';
import { onExitSync } from '../lab/run/exit-hooks.ts';
import { type Inventory, type InventoryInput, inventorySchema } from '../policy/inventory.ts';
import { BENCH_NAMESPACE, benchNamespace, SERVER_LABELS } from './rules.ts';

export const IPERF_PORT = 5201;
const TENANT_PODS = ['tenant-1', 'tenant-2', 'tenant-3', 'tenant-4'];
const PORTS = [
  { port: IPERF_PORT, protocol: 'TCP' as const },
  { port: IPERF_PORT, protocol: 'UDP' as const },
];

export interface BenchLab {
  topology: Topology;
  server: PodNet;
  client: PodNet;
  spare: PodNet;
  /** Clients of the fairness figure, in no inventory but its own. */
  tenants: PodNet[];
  /** bpffs mounted for this run; the dataplane (and the agent of figure 4) pin under it. */
  bpffsRoot: string;
  logger: Logger;
  /** An eBPF dataplane for `nodeName` on the lab's node netns, pinning under bpffsRoot. */
  dataplane(nodeName: string): EbpfDataplane;
  /** The inventory of the lab's local pods (server-2 only when asked), plus `extra` remote endpoints. */
  inventory(options?: { withSpare?: boolean; extra?: InventoryInput['endpoints'] }): Inventory;
  close(): Promise<void>;
}

function unmount(path: string): void {
  // -l: a process still holding the mount (an agent being killed) must not keep it mounted
  spawnSync('umount', ['-l', path], { stdio: 'ignore' });
  rmSync(path, { recursive: true, force: true });
}

export async function createBenchLab(): Promise<BenchLab> {
  // Warnings (and errors) of the dataplane go to stderr as pino JSON; the bench's own lines say the rest.
  const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const bpffsRoot = mkdtempSync('/run/palisade-bench-');
  const forget = onExitSync(() => unmount(bpffsRoot));
  ensureBpffs(bpffsRoot);
  const topology = unwrap(
    await createTopology(
      [
        { namespace: BENCH_NAMESPACE, name: 'server', ports: PORTS },
        { namespace: BENCH_NAMESPACE, name: 'client', ports: PORTS },
        { namespace: BENCH_NAMESPACE, name: 'server-2', ports: PORTS },
        ...TENANT_PODS.map((name) => ({ namespace: BENCH_NAMESPACE, name, ports: [] })),
      ],
      { prefix: 'pbench', ipv6: false },
    ),
  );
  const pod = (name: string) => topology.pods.get(`${BENCH_NAMESPACE}/${name}`)!;
  const endpoint = (p: PodNet, labels: Record<string, string>) => ({
    namespace: p.namespace,
    name: p.name,
    labels,
    ipv4: [p.ip],
    ports: PORTS,
    hostInterface: p.hostIfName,
  });
  const dataplanes: EbpfDataplane[] = [];
  return {
    topology,
    server: pod('server'),
    client: pod('client'),
    spare: pod('server-2'),
    tenants: TENANT_PODS.map(pod),
    bpffsRoot,
    logger,
    dataplane(nodeName) {
      const dp = createEbpfDataplaneWith({ nodeName, logger, bpffsRoot, netns: topology.nodeNetns, onFlow: () => {}, flowPollMs: 100 });
      dataplanes.push(dp);
      return dp;
    },
    inventory(options = {}) {
      return inventorySchema.parse({
        namespaces: [benchNamespace],
        endpoints: [
          endpoint(pod('server'), { ...SERVER_LABELS }),
          endpoint(pod('client'), { app: 'client' }),
          ...(options.withSpare ? [endpoint(pod('server-2'), { ...SERVER_LABELS })] : []),
          ...(options.extra ?? []),
        ],
      });
    },
    async close() {
      for (const dp of dataplanes) {
        try {
          await dp.close();
        } catch {
          // the netns teardown below detaches everything anyway
        }
      }
      await topology.destroy();
      unmount(bpffsRoot);
      forget();
    },
  };
}
