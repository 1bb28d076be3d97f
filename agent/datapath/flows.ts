// Flow events from the programs' ring buffer, decoded. An event says which program sent it (its
// tag), so the rule slots it carries can be turned back into rule identities with that program's
// slot table.
import type { Direction } from '../../policy/ir.ts';
import type { RuleIdentity, RuleSlot } from './codegen/slots.ts';
import { FlowEventLayout, FlowKind, HookCode, NO_SLOT, VerdictCode } from './layouts.ts';

export type FlowEventKind = 'allowed' | 'denied' | 'logged';

export interface FlowRecord {
  /** allowed: a new flow admitted (and recorded); denied: a packet dropped by policy; logged: a Log rule matched. */
  kind: FlowEventKind;
  /** The policy direction of the endpoint: egress for packets leaving the pod, ingress for packets entering it. */
  direction: Direction;
  ifindex: number;
  /** The endpoint and host interface of `ifindex`, when the dataplane knows them. */
  endpoint?: string;
  interface?: string;
  /** bpf_ktime_get_ns of the packet (monotonic, not wall clock). */
  timeNs: bigint;
  programTag: number;
  /** The enforced verdict; absent on `logged` events (sent before the verdict). */
  verdict?: 'allow' | 'deny';
  /** The rule (or tier default) that decided, or the Log rule; null when no rule did (no policy, every tier passed). */
  rule: RuleIdentity | null;
  /** What staged policies would have decided, when some select the endpoint. */
  staged?: { verdict: 'allow' | 'deny'; rule: RuleIdentity | null };
  family: 4 | 6;
  protocol: number;
  local: string;
  remote: string;
  /** Transport ports of the pod's end and the other end (ICMP echo: the identifier as localPort). */
  localPort: number;
  remotePort: number;
  tcpFlags: number;
  icmpType: number;
  /** ICMP / ICMPv6 code (absent in records made before it was reported). */
  icmpCode?: number;
  bytes: number;
}

const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;

export type SlotLookup = (tag: number) => readonly RuleSlot[] | undefined;

function address(bytes: Uint8Array, family: number): string {
  if (family === 4) return Array.from(bytes.subarray(0, 4)).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // compress the longest run of zero groups
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

const KIND: Record<number, FlowEventKind> = { [FlowKind.ALLOWED]: 'allowed', [FlowKind.DENIED]: 'denied', [FlowKind.LOGGED]: 'logged' };
const VERDICT: Record<number, 'allow' | 'deny'> = { [VerdictCode.ALLOW]: 'allow', [VerdictCode.DENY]: 'deny' };

function identity(slots: readonly RuleSlot[] | undefined, slot: number): RuleIdentity | null {
  if (slot === NO_SLOT) return null;
  const entry = slots?.[slot];
  if (!entry) return null;
  return { tier: entry.tier, policyId: entry.policyId, ruleIndex: entry.ruleIndex, action: entry.action };
}

export function decodeFlowEvent(bytes: Uint8Array, slotsOf: SlotLookup): FlowRecord {
  const e = FlowEventLayout.decode(bytes);
  const slots = slotsOf(e.tag);
  const family = e.family === 6 ? 6 : 4;
  const verdict = VERDICT[e.verdict];
  const staged = VERDICT[e.stagedVerdict];
  return {
    kind: KIND[e.kind] ?? 'allowed',
    direction: e.hook === HookCode.FROM_POD ? 'egress' : 'ingress',
    ifindex: e.ifindex,
    timeNs: e.ts,
    programTag: e.tag,
    ...(verdict && e.kind !== FlowKind.LOGGED && { verdict }),
    rule: identity(slots, e.ruleSlot),
    ...(staged && { staged: { verdict: staged, rule: identity(slots, e.stagedSlot) } }),
    family,
    protocol: e.proto,
    local: address(e.local, family),
    remote: address(e.remote, family),
    localPort: e.lport,
    // ICMP messages other than echo carry their type and code in the conntrack key's remote port
    remotePort: e.proto === IPPROTO_ICMP || e.proto === IPPROTO_ICMPV6 ? 0 : e.rport,
    tcpFlags: e.tcpFlags,
    icmpType: e.icmpType,
    icmpCode: e.icmpCode,
    bytes: e.bytes,
  };
}
