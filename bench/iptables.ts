// The iptables comparisons: the bench's rules (rules.ts) as FORWARD rules in the lab's node netns, in
// the same order, with a default DROP. The measured traffic is accepted by the last rules, so every
// packet iptables classifies walks all the others first. Two variants:
//
// - stateless (issue 5's anchor): no conntrack shortcut, every packet walks the chain. The replies
//   (server to client and to the new-flow generator's addresses: TCP ACKs, iperf3's UDP handshake)
//   are accepted by a rule placed first, standing for the server's open egress; our programs pass them
//   without policy too.
// - stateful (issue 13): `-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT` first, as Calico's
//   iptables mode and kube-proxy run it, so only a flow's first packet walks the rules (replies are
//   ESTABLISHED). This is the fair anchor for established traffic; new flows still pay the walk
//   plus the conntrack insertion.
//
// The rules live in the node netns, so deleting it removes them.
import { run } from '../lab/net/exec.ts';
import type { BenchRule } from './rules.ts';

const EMPTY_FILTER = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n';

/** iptables-restore input: the rules in FORWARD, default DROP; `stateful` puts the conntrack shortcut first. */
export function iptablesScript(rules: readonly BenchRule[], server: string, stateful = false): string {
  const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]'];
  if (stateful) lines.push('-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  else lines.push(`-A FORWARD -s ${server}/32 -j ACCEPT`);
  for (const r of rules) {
    const proto = r.protocol.toLowerCase();
    lines.push(`-A FORWARD -s ${r.peer} -d ${server}/32 -p ${proto} -m ${proto} --dport ${r.port} -j ACCEPT`);
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

async function restore(netns: string, script: string): Promise<void> {
  const result = await run('ip', ['netns', 'exec', netns, 'iptables-restore'], script);
  if (!result.ok) throw result.error;
}

export interface IptablesRuleSet {
  /** Rules in FORWARD, the reply (or conntrack) rule included. */
  count: number;
  install(): Promise<void>;
  /** FORWARD back to empty and ACCEPT. */
  remove(): Promise<void>;
}

/**
 * With the nf_tables backend, removing means deleting the netns' nft tables: an emptied chain would
 * stay hooked and every later packet, in every configuration, would still walk it.
 */
export function iptablesRuleSet(netns: string, rules: readonly BenchRule[], server: string, backend: IptablesBackend, stateful = false): IptablesRuleSet {
  const script = iptablesScript(rules, server, stateful);
  return {
    count: rules.length + 1,
    install: () => restore(netns, script),
    async remove() {
      await restore(netns, EMPTY_FILTER);
      if (backend !== 'nf_tables') return;
      const flushed = await run('ip', ['netns', 'exec', netns, 'nft', 'flush', 'ruleset']);
      if (!flushed.ok) throw flushed.error;
    },
  };
}

export type IptablesBackend = 'nf_tables' | 'legacy';

/** `iptables -V`: version and backend, for the report and for remove(). */
export async function iptablesVersion(): Promise<{ text: string; backend: IptablesBackend }> {
  const result = await run('iptables', ['-V']);
  if (!result.ok) throw new Error(`iptables is missing: ${result.error.message}`);
  const text = result.value.stdout.trim();
  return { text, backend: text.includes('nf_tables') ? 'nf_tables' : 'legacy' };
}

/** Rules in the node netns' FORWARD chain now (a check that install() took). */
export async function forwardRuleCount(netns: string): Promise<number> {
  const result = await run('ip', ['netns', 'exec', netns, 'iptables', '-S', 'FORWARD']);
  if (!result.ok) throw result.error;
  return result.value.stdout.split('\n').filter((l) => l.startsWith('-A FORWARD')).length;
}
