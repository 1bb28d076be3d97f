// Flow events from the programs' ring buffer (denied and logged flows, one by one) and the
// aggregates of allowed new flows (the flow_aggregates map, one entry per flow-log key), decoded
// into the same records. Both say which program counted them (its tag), so the rule slots they
// carry can be turned back into rule identities with that program's slot table.
import type { Direction } from '../../policy/ir.ts';
import type { RuleIdentity, RuleSlot } from './codegen/slots.ts';
import { FlowAggregateKey, FlowAggregateValue, FlowEventLayout, FlowKind, HookCode, NO_SLOT, VerdictCode } from './layouts.ts';

export type FlowEventKind = 'allowed' | 'denied' | 'logged';

export interface FlowRecord {
  /** allowed: a new flow admitted (and recorded); denied: a packet dropped by policy; logged: a Log rule matched. */
  kind: FlowEventKind;
  /**
   * Flows this record stands for: allowed flows arrive aggregated (layouts.ts FlowAggregateKey),
   * their client port, TCP flags and times but the first left out; absent means one.
   */
  count?: number;
  /** The policy direction of the endpoint: egress for packets leaving the pod, ingress for packets entering it. */
  direction: Direction;
  ifindex: number;
  /** The endpoint and host interface of `ifindex`, when the dataplane knows them. */
  endpoint?: string;
  interface?: string;
  /** bpf_ktime_get_ns of the packet, of an aggregate's first flow (monotonic, not wall clock). */
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
  if (family === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
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

// Field offsets of the flow event, from its one definition (layouts.ts). The decoder reads them
// directly instead of through FlowEventLayout.decode: the generic decode builds an object of every
// field by name and costs microseconds, and one event arrives per new flow (issue 13).
const OFF_TS = FlowEventLayout.offsetOf('ts');
const OFF_TAG = FlowEventLayout.offsetOf('tag');
const OFF_RULE_SLOT = FlowEventLayout.offsetOf('ruleSlot');
const OFF_STAGED_SLOT = FlowEventLayout.offsetOf('stagedSlot');
const OFF_BYTES = FlowEventLayout.offsetOf('bytes');
const OFF_KIND = FlowEventLayout.offsetOf('kind');
const OFF_VERDICT = FlowEventLayout.offsetOf('verdict');
const OFF_STAGED_VERDICT = FlowEventLayout.offsetOf('stagedVerdict');
const OFF_HOOK = FlowEventLayout.offsetOf('hook');
const OFF_TCP_FLAGS = FlowEventLayout.offsetOf('tcpFlags');
const OFF_ICMP_TYPE = FlowEventLayout.offsetOf('icmpType');
const OFF_ICMP_CODE = FlowEventLayout.offsetOf('icmpCode');
const OFF_IFINDEX = FlowEventLayout.offsetOf('ifindex');
const OFF_PROTO = FlowEventLayout.offsetOf('proto');
const OFF_FAMILY = FlowEventLayout.offsetOf('family');
const OFF_LPORT = FlowEventLayout.offsetOf('lport');
const OFF_RPORT = FlowEventLayout.offsetOf('rport');
const OFF_LOCAL = FlowEventLayout.offsetOf('local');
const OFF_REMOTE = FlowEventLayout.offsetOf('remote');

export function decodeFlowEvent(bytes: Uint8Array, slotsOf: SlotLookup): FlowRecord {
  if (bytes.length < FlowEventLayout.size) throw new RangeError(`flow event: need ${FlowEventLayout.size} bytes, have ${bytes.length}`);
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = b.readUInt32LE(OFF_TAG);
  const kind = b[OFF_KIND]!;
  const proto = b[OFF_PROTO]!;
  const slots = slotsOf(tag);
  const family = b[OFF_FAMILY] === 6 ? 6 : 4;
  const verdict = VERDICT[b[OFF_VERDICT]!];
  const staged = VERDICT[b[OFF_STAGED_VERDICT]!];
  return {
    kind: KIND[kind] ?? 'allowed',
    direction: b[OFF_HOOK] === HookCode.FROM_POD ? 'egress' : 'ingress',
    ifindex: b.readUInt32LE(OFF_IFINDEX),
    timeNs: b.readBigUInt64LE(OFF_TS),
    programTag: tag,
    ...(verdict && kind !== FlowKind.LOGGED && { verdict }),
    rule: identity(slots, b.readUInt32LE(OFF_RULE_SLOT)),
    ...(staged && { staged: { verdict: staged, rule: identity(slots, b.readUInt32LE(OFF_STAGED_SLOT)) } }),
    family,
    protocol: proto,
    local: address(b.subarray(OFF_LOCAL, OFF_LOCAL + 16), family),
    remote: address(b.subarray(OFF_REMOTE, OFF_REMOTE + 16), family),
    localPort: b.readUInt16BE(OFF_LPORT),
    // ICMP messages other than echo carry their type and code in the conntrack key's remote port
    remotePort: proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6 ? 0 : b.readUInt16BE(OFF_RPORT),
    tcpFlags: b[OFF_TCP_FLAGS]!,
    icmpType: b[OFF_ICMP_TYPE]!,
    icmpCode: b[OFF_ICMP_CODE]!,
    bytes: b.readUInt32LE(OFF_BYTES),
  };
}

const AGG_TAG = FlowAggregateKey.offsetOf('tag');
const AGG_RULE_SLOT = FlowAggregateKey.offsetOf('ruleSlot');
const AGG_STAGED_SLOT = FlowAggregateKey.offsetOf('stagedSlot');
const AGG_IFINDEX = FlowAggregateKey.offsetOf('ifindex');
const AGG_VERDICT = FlowAggregateKey.offsetOf('verdict');
const AGG_STAGED_VERDICT = FlowAggregateKey.offsetOf('stagedVerdict');
const AGG_HOOK = FlowAggregateKey.offsetOf('hook');
const AGG_PROTO = FlowAggregateKey.offsetOf('proto');
const AGG_FAMILY = FlowAggregateKey.offsetOf('family');
const AGG_ICMP_TYPE = FlowAggregateKey.offsetOf('icmpType');
const AGG_ICMP_CODE = FlowAggregateKey.offsetOf('icmpCode');
const AGG_PORT = FlowAggregateKey.offsetOf('port');
const AGG_LOCAL = FlowAggregateKey.offsetOf('local');
const AGG_REMOTE = FlowAggregateKey.offsetOf('remote');
const AGG_COUNT = FlowAggregateValue.offsetOf('count');
const AGG_BYTES = FlowAggregateValue.offsetOf('bytes');
const AGG_FIRST_SEEN = FlowAggregateValue.offsetOf('firstSeen');

/** An entry drained from flow_aggregates: `count` allowed new flows with one flow-log key. */
export function decodeFlowAggregate(key: Buffer, value: Buffer, slotsOf: SlotLookup): FlowRecord {
  if (key.length < FlowAggregateKey.size || value.length < FlowAggregateValue.size) {
    throw new RangeError(`flow aggregate: need ${FlowAggregateKey.size} + ${FlowAggregateValue.size} bytes, have ${key.length} + ${value.length}`);
  }
  const tag = key.readUInt32LE(AGG_TAG);
  const slots = slotsOf(tag);
  const family = key[AGG_FAMILY] === 6 ? 6 : 4;
  const proto = key[AGG_PROTO]!;
  const egress = key[AGG_HOOK] === HookCode.FROM_POD;
  const port = key.readUInt16BE(AGG_PORT);
  const icmp = proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6;
  const verdict = VERDICT[key[AGG_VERDICT]!];
  const staged = VERDICT[key[AGG_STAGED_VERDICT]!];
  return {
    kind: 'allowed',
    count: Number(value.readBigUInt64LE(AGG_COUNT)),
    direction: egress ? 'egress' : 'ingress',
    ifindex: key.readUInt32LE(AGG_IFINDEX),
    timeNs: value.readBigUInt64LE(AGG_FIRST_SEEN),
    programTag: tag,
    ...(verdict && { verdict }),
    rule: identity(slots, key.readUInt32LE(AGG_RULE_SLOT)),
    ...(staged && { staged: { verdict: staged, rule: identity(slots, key.readUInt32LE(AGG_STAGED_SLOT)) } }),
    family,
    protocol: proto,
    local: address(key.subarray(AGG_LOCAL, AGG_LOCAL + 16), family),
    remote: address(key.subarray(AGG_REMOTE, AGG_REMOTE + 16), family),
    // the key keeps the server's port only (the remote end's for egress, as the ring's events do
    // not report ICMP's type and code bytes as a remote port)
    localPort: egress ? 0 : port,
    remotePort: egress && !icmp ? port : 0,
    tcpFlags: 0,
    icmpType: key[AGG_ICMP_TYPE]!,
    icmpCode: key[AGG_ICMP_CODE]!,
    bytes: Number(value.readBigUInt64LE(AGG_BYTES)),
  };
}
