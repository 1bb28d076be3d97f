// Service translation in the run's node netns, as kube-proxy's iptables mode does it: a `nat
// PREROUTING` DNAT per Service port from the ClusterIP to an endpoint. PREROUTING runs after tc
// ingress on the pod's host-side veth, so the agent's programs see the ClusterIP, as on a real node.
// The rules live in the node netns and go with it (teardown deletes the netns), so no cleanup path
// of their own is needed; each sync replaces the whole nat table of that netns, which nothing else
// in the lab uses.
import { err, ok, type Result } from '../errors.ts';
import { run } from './exec.ts';

export interface ServiceDnat {
  clusterIP: string;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  /** The endpoint's IPv4 address and port. */
  endpoint: string;
  targetPort: number;
}

/** iptables-restore input for the nat table: the DNATs in PREROUTING, nothing else. */
export function serviceNatScript(rules: readonly ServiceDnat[]): string {
  const lines = ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]'];
  for (const r of rules) {
    const proto = r.protocol.toLowerCase();
    lines.push(`-A PREROUTING -d ${r.clusterIP}/32 -p ${proto} -m ${proto} --dport ${r.port} -j DNAT --to-destination ${r.endpoint}:${r.targetPort}`);
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/**
 * Installs `rules` in the node netns, replacing the previous ones. With no rules and none before
 * (`installed` false) nothing runs, so cases without ClusterIPs need no iptables at all.
 */
export async function syncServiceNat(nodeNetns: string, rules: readonly ServiceDnat[], installed: boolean): Promise<Result<boolean>> {
  if (rules.length === 0 && !installed) return ok(false);
  const restored = await run('ip', ['netns', 'exec', nodeNetns, 'iptables-restore', '-w'], serviceNatScript(rules));
  if (!restored.ok) return err('command_failed', `service NAT in ${nodeNetns}: ${restored.error.message}`, restored.error.details);
  return ok(true);
}
