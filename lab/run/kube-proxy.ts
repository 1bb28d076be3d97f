// The run's kube-proxy: after each inventory write (the Services' endpoints follow relabels), the
// node's DNATs from ClusterIPs to endpoints are brought in line with the cluster
// (../case/cluster-ips.ts, ../net/service-nat.ts).
import { kubeProxyRules } from '../case/cluster-ips.ts';
import type { LabTopology } from '../case/expand.ts';
import { syncServiceNat } from '../net/service-nat.ts';
import type { Topology } from '../net/topology.ts';
import { RunError } from './errors.ts';

/** Returns whether rules are installed now, for the next sync. */
export async function syncKubeProxy(cluster: LabTopology, net: Topology, installed: boolean): Promise<boolean> {
  const rules = kubeProxyRules(cluster, (key) => net.pods.get(key)?.ip);
  const synced = await syncServiceNat(net.nodeNetns, rules, installed);
  if (!synced.ok) throw new RunError('setup_failed', synced.error.message);
  return synced.value;
}
