// Builds a lab cluster the way a routed CNI (Calico) wires a node: one netns per pod with eth0 = a
// veth whose peer sits in a per-run "node" netns, a /32 per pod, a link-local default gateway
// answered by a static neighbour, and a /32 route per pod on the node side. The node is its own
// netns, not the machine's root namespace, so nothing the lab does (routes, forwarding, eBPF on
// host-side veths) can leak onto the machine, and two runs can coexist.

import type { LabPort } from '../case/expand.ts';
import { err, LabError, ok, type Result } from '../errors.ts';
import { randomSubnet6, reserveSubnet4 } from './addresses.ts';
import { type LiveRun, trackRun, untrackRun } from './cleanup.ts';
import { ipBatch, ipJson, run } from './exec.ts';
import { DEFAULT_PREFIX, GATEWAY_V4, GATEWAY_V6, HOST_MAC, hostIfName, newRunId, nodeNetnsName, podMac, podNetnsNames } from './names.ts';
import { claimRun, ensureRegistryDir, processStartTime, type RunRecord, runFile, writeRun } from './registry.ts';
import { sweepStale } from './sweep.ts';
import { teardownRun } from './teardown.ts';

/** What the topology needs of a pod: `LabPod` from lab/case/expand.ts fits. */
export interface PodInput {
  namespace: string;
  name: string;
  ports: readonly LabPort[];
}

export interface PodNet {
  /** "ns/pod" */
  key: string;
  namespace: string;
  name: string;
  netns: string;
  ip: string;
  ipv6?: string;
  mac: string;
  /** Host side of the pod's veth, in the node netns: where the agent attaches programs. */
  hostIfName: string;
  hostIfIndex: number;
  /** eth0's ifindex inside the pod netns. */
  podIfIndex: number;
  ports: LabPort[];
}

export interface Topology {
  runId: string;
  nodeNetns: string;
  subnet4: string;
  subnet6?: string;
  /** Keyed "ns/pod", in input order. */
  pods: Map<string, PodNet>;
  /** Records a helper process started inside the run's netns, so every cleanup path kills it. */
  adoptPid(pid: number): void;
  releasePid(pid: number): void;
  /** Runs `fn` at the start of destroy(), last registered first (e.g. closing probe agents gracefully). */
  defer(fn: () => Promise<void> | void): void;
  /** Idempotent: kills the run's processes, deletes its netns (and with them every veth), forgets it. */
  destroy(): Promise<void>;
}

export interface TopologyOptions {
  /** Run-id prefix; sweeping only considers runs of the same prefix. */
  prefix?: string;
  /** Give pods ULA IPv6 addresses as well (default true: it costs a few netlink calls). */
  ipv6?: boolean;
  /** Remove leftovers of dead runs first (default true). */
  sweep?: boolean;
}

const MAX_PODS = 254; // hosts of the run's /24

/** Takes the pod list, or anything holding one (an expanded case's `LabTopology`). */
export async function createTopology(
  input: readonly PodInput[] | { readonly pods: readonly PodInput[] },
  opts: TopologyOptions = {},
): Promise<Result<Topology>> {
  const pods: readonly PodInput[] = 'pods' in input ? input.pods : input;
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const withV6 = opts.ipv6 ?? true;
  if (process.getuid?.() !== 0) return err('not_root', 'the lab needs root (network namespaces, veth pairs)');
  if (pods.length > MAX_PODS) return err('too_many_pods', `a lab run holds at most ${MAX_PODS} pods, got ${pods.length}`);
  const keys = new Set(pods.map((p) => `${p.namespace}/${p.name}`));
  if (keys.size !== pods.length) return err('duplicate_pod', 'pod keys must be unique');

  if (opts.sweep ?? true) await sweepStale(prefix);
  await ensureRegistryDir();

  // Claim a run id: the registry file is created exclusively, so two processes never share one.
  const pidStart = processStartTime(process.pid) ?? '';
  let rec: RunRecord | undefined;
  for (let i = 0; i < 16 && !rec; i++) {
    const runId = newRunId(prefix);
    const candidate: RunRecord = {
      runId,
      pid: process.pid,
      pidStart,
      createdAt: new Date().toISOString(),
      nodeNetns: nodeNetnsName(runId),
      netns: [nodeNetnsName(runId), ...podNetnsNames(runId, pods)],
      subnet4: '',
    };
    if (await claimRun(candidate)) rec = candidate;
  }
  if (!rec) return err('command_failed', 'could not claim a unique run id');
  const runId = rec.runId;

  const live: LiveRun = { runId, netns: rec.netns, pids: new Set(), files: [runFile(runId)] };
  trackRun(live); // from here on, an exiting process cleans up whatever exists
  const fail = async (e: LabError): Promise<Result<never>> => {
    untrackRun(runId);
    await teardownRun({ netns: live.netns, pids: live.pids, files: live.files });
    return { ok: false, error: e };
  };

  const sub4 = await reserveSubnet4(runId);
  if (!sub4.ok) return fail(sub4.error);
  live.files.push(sub4.value.reservation);
  const sub6 = withV6 ? randomSubnet6() : undefined;
  rec.subnet4 = sub4.value.cidr;
  if (sub6) rec.subnet6 = sub6.cidr;
  await writeRun(rec);

  const nodeNetns = rec.nodeNetns;
  const plan = pods.map((p, i) => ({
    key: `${p.namespace}/${p.name}`,
    namespace: p.namespace,
    name: p.name,
    netns: rec.netns[i + 1]!,
    ip: sub4.value.host(i + 1),
    ipv6: sub6?.host(i + 1),
    mac: podMac(runId, i),
    hostIfName: hostIfName(i, p.namespace, p.name),
    ports: p.ports.map((x) => ({ ...x })),
  }));

  // 1. every netns in one process
  const made = await ipBatch(rec.netns.map((n) => `netns add ${n}`));
  if (!made.ok) return fail(made.error);

  // 2. node: forwarding on (one process inside the netns: /proc/sys/net is per network namespace)
  const sysctls = ['net.ipv4.ip_forward=1', ...(sub6 ? ['net.ipv6.conf.all.forwarding=1'] : [])];
  const fwd = run('ip', ['netns', 'exec', nodeNetns, 'sysctl', '-q', '-w', ...sysctls]);

  // 3. node: veth pairs created from the node side with the peer born inside the pod netns as
  //    eth0 (it never exists in the root namespace), then routes and static neighbours per pod.
  //    Links go up before routes: the kernel refuses routes via a device that is down.
  const nodeLines = ['link set lo up'];
  for (const p of plan) {
    nodeLines.push(
      `link add name ${p.hostIfName} address ${HOST_MAC} type veth peer name eth0 address ${p.mac} netns ${p.netns}`,
      `link set ${p.hostIfName} up`,
      `route add ${p.ip}/32 dev ${p.hostIfName}`,
      `neigh replace ${p.ip} lladdr ${p.mac} dev ${p.hostIfName} nud permanent`,
    );
    if (p.ipv6) {
      nodeLines.push(`route add ${p.ipv6}/128 dev ${p.hostIfName}`, `neigh replace ${p.ipv6} lladdr ${p.mac} dev ${p.hostIfName} nud permanent`);
    }
  }
  const node = await ipBatch(nodeLines, { netns: nodeNetns });
  if (!node.ok) {
    await fwd;
    return fail(node.error);
  }

  // 4. pods, concurrently: /32 address, link-local gateway pinned by a permanent neighbour, so no
  //    ARP/ND is needed (and none reaches the programs later attached on the host side).
  const podResults = await Promise.all(
    plan.map((p) => {
      const lines = [
        'link set lo up',
        'link set eth0 up',
        `addr add ${p.ip}/32 dev eth0`,
        `route add ${GATEWAY_V4}/32 dev eth0 scope link`,
        `route add default via ${GATEWAY_V4} dev eth0`,
        `neigh replace ${GATEWAY_V4} lladdr ${HOST_MAC} dev eth0 nud permanent`,
      ];
      if (p.ipv6) {
        lines.push(
          // nodad: usable at once instead of after ~1 s of duplicate address detection
          `addr add ${p.ipv6}/128 dev eth0 nodad`,
          `route add ::/0 via ${GATEWAY_V6} dev eth0 onlink`,
          `neigh replace ${GATEWAY_V6} lladdr ${HOST_MAC} dev eth0 nud permanent`,
        );
      }
      return ipBatch(lines, { netns: p.netns });
    }),
  );
  const fwdResult = await fwd;
  if (!fwdResult.ok) return fail(fwdResult.error);
  for (const r of podResults) if (!r.ok) return fail(r.error);

  // 5. ifindexes of the host-side veths (and, from the veth peer info, of each eth0)
  const links = await ipJson<{ ifname: string; ifindex: number; link_index?: number }[]>(['link', 'show', 'type', 'veth'], nodeNetns);
  if (!links.ok) return fail(links.error);
  const byName = new Map(links.value.map((l) => [l.ifname, l]));

  const podMap = new Map<string, PodNet>();
  for (const p of plan) {
    const l = byName.get(p.hostIfName);
    if (!l) return fail(new LabError('command_failed', `host veth ${p.hostIfName} missing after creation`));
    const { ipv6, ...rest } = p;
    podMap.set(p.key, { ...rest, ...(ipv6 ? { ipv6 } : {}), hostIfIndex: l.ifindex, podIfIndex: l.link_index ?? -1 });
  }

  const deferred: (() => Promise<void> | void)[] = [];
  let destroying: Promise<void> | undefined;
  const topology: Topology = {
    runId,
    nodeNetns,
    subnet4: sub4.value.cidr,
    ...(sub6 ? { subnet6: sub6.cidr } : {}),
    pods: podMap,
    adoptPid: (pid) => void live.pids.add(pid),
    releasePid: (pid) => void live.pids.delete(pid),
    defer: (fn) => void deferred.push(fn),
    destroy: () =>
      (destroying ??= (async () => {
        for (const fn of deferred.reverse()) {
          // a failing graceful step must not stop the forced teardown below
          await Promise.resolve()
            .then(fn)
            .catch(() => {});
        }
        untrackRun(runId);
        await teardownRun({ netns: live.netns, pids: live.pids, files: live.files });
      })()),
  };
  return ok(topology);
}
