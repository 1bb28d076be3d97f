// The reference evaluator: the verdict a resolved endpoint policy gives one packet, written as
// plainly as the semantics read (../../shared/DESIGN.md, "Policy semantics", Calico 3.30's tier
// model). The eBPF programs must agree with it; tests hold both to the reachability cases.
//
// - Tiers in ascending order; inside a tier, policies then rules in order; the first matching rule
//   decides: Allow and Deny end evaluation, Pass skips the rest of the tier, Log records and goes on.
// - A tier some policy of which selects the endpoint, but with no deciding rule, applies its
//   default action: Deny ends evaluation, Pass goes to the next tier.
// - A tier none of whose policies selects the endpoint is skipped (no default action).
// - No selecting policy at all, or passing through every tier: allow (Calico's per-namespace
//   profiles allow what policy leaves undecided; Kubernetes leaves unselected pods open).
// - Staged policies never change the verdict. The staged verdict is the one the packet would get
//   if every staged policy were enforced alongside the enforced ones, minus the enforced policies
//   a staged policy replaces (stagedOut).
import { type Action, type Direction, PROTOCOL_NUMBERS, type Protocol } from '../ir.ts';
import type { ParsedCidr } from '../validation/cidr.ts';
import { cidrSetContains, parseAddress } from './cidr-set.ts';
import type { DirectionPolicy, EndpointPolicy, MatchTerm, ResolvedRule } from './endpoint-policy.ts';
import { portInRanges } from './ports.ts';

export interface Packet {
  /** The other end: the source for ingress, the destination for egress. */
  remoteIp: string;
  /** By name, or the IP protocol number (a named protocol's number means that protocol). */
  protocol: Protocol | number;
  /** Destination port of the connection; absent for protocols without ports. */
  dstPort?: number;
  /** Source port of the connection; absent for protocols without ports. */
  srcPort?: number;
  /** ICMP / ICMPv6 type and code. */
  icmpType?: number;
  icmpCode?: number;
}

export type Verdict = 'allow' | 'deny';

export interface TraceEntry {
  tier: string;
  /**
   * The policy of the matching rule; for a tier default, the last policy of the tier that selected
   * the endpoint (Calico's flow logs name the end-of-tier action after it, with rule index -1).
   */
  policyId: string;
  ruleIndex: number | 'default';
  action: Action;
}

export interface Evaluation {
  verdict: Verdict;
  /** Every rule that matched and acted (Log, Pass, the decision) and every tier default applied, in order. */
  trace: TraceEntry[];
  /** Present when staged policies select the endpoint for this direction: what they would have decided. */
  stagedVerdict?: Verdict;
  stagedTrace?: TraceEntry[];
}

interface Probe {
  remote: ParsedCidr;
  protocol: number;
  dstPort?: number;
  srcPort?: number;
  icmpType?: number;
  icmpCode?: number;
}

export function termMatches(term: MatchTerm, probe: Probe): boolean {
  if (term.protocol !== 'any' && PROTOCOL_NUMBERS[term.protocol] !== probe.protocol) return false;
  if (term.protocolNumber !== undefined && term.protocolNumber !== probe.protocol) return false;
  if (term.ipVersion !== undefined && term.ipVersion !== probe.remote.family) return false;
  if (term.ports !== 'any' && (probe.dstPort === undefined || !portInRanges(probe.dstPort, term.ports))) return false;
  if (term.srcPorts && (probe.srcPort === undefined || !portInRanges(probe.srcPort, term.srcPorts))) return false;
  if (term.icmp) {
    if (probe.icmpType !== term.icmp.type) return false;
    if (term.icmp.code !== undefined && probe.icmpCode !== term.icmp.code) return false;
  }
  if (term.remote !== 'any' && !cidrSetContains(term.remote, probe.remote)) return false;
  return !(term.except ?? []).some((e) => termMatches(e, probe));
}

function ruleMatches(rule: ResolvedRule, probe: Probe): boolean {
  return rule.terms.some((term) => termMatches(term, probe));
}

function run(policy: DirectionPolicy, probe: Probe, withStaged: boolean): { verdict: Verdict; trace: TraceEntry[] } {
  const trace: TraceEntry[] = [];
  for (const tier of policy.tiers) {
    const policies = tier.policies.filter((p) => (withStaged ? !p.stagedOut : !p.staged));
    if (policies.length === 0) continue; // selects the endpoint only through staged policies
    let passed = false;
    tierLoop: for (const p of policies) {
      for (const rule of p.rules) {
        if (!ruleMatches(rule, probe)) continue;
        trace.push({ tier: tier.name, policyId: p.id, ruleIndex: rule.index, action: rule.action });
        switch (rule.action) {
          case 'Allow':
            return { verdict: 'allow', trace };
          case 'Deny':
            return { verdict: 'deny', trace };
          case 'Pass':
            passed = true;
            break tierLoop;
          case 'Log':
            break;
        }
      }
    }
    if (passed) continue;
    const last = policies[policies.length - 1]!;
    trace.push({ tier: tier.name, policyId: last.id, ruleIndex: 'default', action: tier.defaultAction });
    if (tier.defaultAction === 'Deny') return { verdict: 'deny', trace };
  }
  return { verdict: 'allow', trace };
}

export function evaluateDirection(policy: DirectionPolicy | null, packet: Packet): Evaluation {
  if (!policy) return { verdict: 'allow', trace: [] };
  const remote = parseAddress(packet.remoteIp);
  if (!remote) throw new Error(`invalid remote address ${JSON.stringify(packet.remoteIp)}`);
  const probe: Probe = {
    remote,
    protocol: typeof packet.protocol === 'number' ? packet.protocol : PROTOCOL_NUMBERS[packet.protocol],
    ...(packet.dstPort !== undefined && { dstPort: packet.dstPort }),
    ...(packet.srcPort !== undefined && { srcPort: packet.srcPort }),
    ...(packet.icmpType !== undefined && { icmpType: packet.icmpType }),
    ...(packet.icmpCode !== undefined && { icmpCode: packet.icmpCode }),
  };
  const enforced = run(policy, probe, false);
  if (!policy.tiers.some((tier) => tier.policies.some((p) => p.staged || p.stagedOut))) return enforced;
  const staged = run(policy, probe, true);
  return { ...enforced, stagedVerdict: staged.verdict, stagedTrace: staged.trace };
}

export function evaluate(endpointPolicy: EndpointPolicy, direction: Direction, packet: Packet): Evaluation {
  return evaluateDirection(endpointPolicy[direction], packet);
}
