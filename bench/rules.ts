// The benchmark's policy, written as a user would: one Kubernetes NetworkPolicy selecting the server
// pod, whose ingress rules each allow one peer on one port. Peers are distinct and never overlap
// (mostly /32s, every fourth a /28), ports are distinct, so a packet matches at most one rule and the
// benchmark controls which: the last rule allows the client (the iperf3 traffic, TCP and UDP on one
// port), a packet from anywhere else matches none and meets the default deny.
//
// The same rules come out as iptables lines (iptables.ts), so both dataplanes evaluate one rule set.
import { NAMESPACE_NAME_LABEL, type Policy, type PolicySet } from '../policy/ir.ts';
import { parsePolicyObject } from '../policy/kinds/index.ts';
import { buildPolicySet } from '../policy/policy-set.ts';

export const BENCH_NAMESPACE = 'bench';
export const SERVER_LABELS = { app: 'server' } as const;
/** Label key of the remote pods that rules may name as peers (the agent memory run). */
export const PEER_LABEL = 'bench.palisade.dev/peer';

export interface RuleSetSpec {
  /** Rules in the policy, the client's rule included (it is the last). */
  count: number;
  /** The peer of the last rule: the address the measured traffic comes from. */
  clientIp: string;
  /** TCP and UDP port the last rule allows (iperf3's). */
  clientPort: number;
  /**
   * Shifts every other rule's port: two rule sets of different variants hash differently, so the
   * dataplane compiles the second instead of reusing the first one's program.
   */
  variant?: number;
  /** The first `podPeers` rules name a remote pod by label (peerPodIp gives its address) instead of an ipBlock. */
  podPeers?: number;
  /**
   * The new-flow workloads (new-flows.ts): the last rule also allows this CIDR (the load generator's
   * source addresses) and TCP `connPort` (its acceptor's), beside the client's address and ports.
   */
  newFlows?: { cidr: string; connPort: number };
}

export interface BenchRule {
  /** CIDR the rule allows from. */
  peer: string;
  protocol: 'TCP' | 'UDP';
  port: number;
}

/** Address of the i-th filler rule's peer: 10.0.0.0/8 /32s, every fourth rule a /28 of 100.64.0.0/10. */
function fillerPeer(i: number): string {
  if (i % 4 === 3) {
    const n = 0x64400000 + i * 16; // 100.64.0.0 + i*16: a /28 of its own per rule
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/28`;
  }
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;
}

const fillerPort = (i: number, variant: number): number => 10_000 + ((i + variant) % 50_000);

/** Address of remote pod i (10.200.0.0/16: apart from every filler peer and the lab's 198.18.0.0/15). */
export function peerPodIp(i: number): string {
  return `10.200.${(i >> 8) & 255}.${i & 255}`;
}

/** The rules in evaluation order, as (peer, protocol, port) triples; the client's rule gives two (TCP, UDP). */
export function benchRules(spec: RuleSetSpec): BenchRule[] {
  const variant = spec.variant ?? 0;
  const rules: BenchRule[] = [];
  for (let i = 0; i < spec.count - 1; i++) {
    const peer = i < (spec.podPeers ?? 0) ? `${peerPodIp(i)}/32` : fillerPeer(i);
    rules.push({ peer, protocol: 'TCP', port: fillerPort(i, variant) });
  }
  // the last rule: every peer of it on every port of it, as iptables and nftables spell one rule
  for (const peer of lastRulePeers(spec)) for (const p of lastRulePorts(spec)) rules.push({ peer, ...p });
  return rules;
}

function lastRulePeers(spec: RuleSetSpec): string[] {
  return [`${spec.clientIp}/32`, ...(spec.newFlows ? [spec.newFlows.cidr] : [])];
}

function lastRulePorts(spec: RuleSetSpec): { protocol: 'TCP' | 'UDP'; port: number }[] {
  return [
    { protocol: 'TCP', port: spec.clientPort },
    { protocol: 'UDP', port: spec.clientPort },
    ...(spec.newFlows ? [{ protocol: 'TCP' as const, port: spec.newFlows.connPort }] : []),
  ];
}

/** The NetworkPolicy manifest (what a tenant would apply). */
export function benchNetworkPolicy(spec: RuleSetSpec): Record<string, unknown> {
  const variant = spec.variant ?? 0;
  const ingress = Array.from({ length: spec.count - 1 }, (_, i) => ({
    from: [i < (spec.podPeers ?? 0) ? { podSelector: { matchLabels: { [PEER_LABEL]: `p${i}` } } } : { ipBlock: { cidr: fillerPeer(i) } }],
    ports: [{ protocol: 'TCP', port: fillerPort(i, variant) }],
  }));
  ingress.push({ from: lastRulePeers(spec).map((cidr) => ({ ipBlock: { cidr } })), ports: lastRulePorts(spec) });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { namespace: BENCH_NAMESPACE, name: `bench-${spec.count}-v${variant}` },
    spec: { podSelector: { matchLabels: { ...SERVER_LABELS } }, policyTypes: ['Ingress'], ingress },
  };
}

/** The policy in the IR, through the same parser the API uses. */
export function benchPolicy(spec: RuleSetSpec): Policy {
  const parsed = parsePolicyObject(benchNetworkPolicy(spec));
  if (!parsed.ok) throw new Error(`bench policy does not parse: ${JSON.stringify(parsed.issues).slice(0, 500)}`);
  return parsed.ir;
}

export function benchPolicySet(spec: RuleSetSpec | null): PolicySet {
  return buildPolicySet(spec ? [benchPolicy(spec)] : []);
}

/** Namespace entry of the inventory (the name label is added by the schema anyway). */
export const benchNamespace = { name: BENCH_NAMESPACE, labels: { [NAMESPACE_NAME_LABEL]: BENCH_NAMESPACE } };
