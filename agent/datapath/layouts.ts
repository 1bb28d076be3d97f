// Binary layouts shared by the generated programs (field offsets) and user space (encode/decode),
// and the small enumerations stored in them. Defined once here; bpf/maps/layout.ts checks offsets,
// alignment and sizes when this module loads.
import { defineLayout } from '../../bpf/maps/layout.ts';

/**
 * Conntrack key, direction-normalised per endpoint: `local` is the pod's end, `remote` the other
 * end, whichever way the packet goes, so a reply finds the entry its request made. `ifindex` (the
 * pod's host-side veth) keeps endpoints apart: one pod's allowed egress never lets a packet past
 * another pod's ingress policy. Ports are in network order as on the wire; for ICMP echo `lport` is
 * the identifier, `rport` 0; for other ICMP messages `lport` is 0 and `rport` the type and code bytes.
 *
 * This is the IPv6 table's key (and the flow event's and fragment map's, where IPv4 addresses fill
 * the first 4 bytes and the rest stays 0). IPv4 flows live in their own table under CtKey4.
 */
export const CtKey = defineLayout('ct_key', {
  size: 44,
  fields: [
    { name: 'ifindex', type: 'u32' },
    { name: 'proto', type: 'u8' },
    { name: 'family', type: 'u8' },
    { name: 'pad', type: 'u16' },
    { name: 'lport', type: 'be16' },
    { name: 'rport', type: 'be16' },
    { name: 'local', type: 'bytes[16]' },
    { name: 'remote', type: 'bytes[16]' },
  ],
});

/**
 * The IPv4 table's key: CtKey's first 12 bytes, then the two IPv4 addresses. A table entry costs
 * the kernel's 48-byte element header plus key and value each rounded up to 8 bytes: 88 bytes here
 * against 112 with CtKey's 16-byte addresses, so a full table walks fewer cold cache lines and TLB
 * pages per new flow (agent/datapath/README.md, "What a new flow costs").
 */
export const CtKey4 = defineLayout('ct_key4', {
  size: 20,
  fields: [
    { name: 'ifindex', type: 'u32' },
    { name: 'proto', type: 'u8' },
    { name: 'family', type: 'u8' },
    { name: 'pad', type: 'u16' },
    { name: 'lport', type: 'be16' },
    { name: 'rport', type: 'be16' },
    { name: 'local', type: 'bytes[4]' },
    { name: 'remote', type: 'bytes[4]' },
  ],
});

/**
 * One way of the IPv4 conntrack table (codegen/conntrack4.ts): a BPF array of sets of CT4_WAYS ways
 * the program manages itself, instead of an LRU hash. The key comes first in the order the program
 * compares it (two 8-byte words, then `proto`): CtKey4 without `family` (always 4 here) and `pad`.
 * `seq` is the way's sequence word: odd while one CPU rewrites the way, bumped by 2 per rewrite, so a
 * reader that saw it even and unchanged around its reads saw one flow's words, not two. `flags` holds
 * CtFlag bits. No `tag`: nothing reads it back, and 32 bytes put two ways in a cache line.
 * `ifindex` 0 (no interface has it) is a way never written.
 */
export const CtWay4 = defineLayout('ct_way4', {
  size: 32,
  fields: [
    { name: 'ifindex', type: 'u32' },
    { name: 'lport', type: 'be16' },
    { name: 'rport', type: 'be16' },
    { name: 'local', type: 'bytes[4]' },
    { name: 'remote', type: 'bytes[4]' },
    { name: 'seq', type: 'u32' },
    { name: 'proto', type: 'u8' },
    { name: 'flags', type: 'u8' },
    { name: 'pad', type: 'u16' },
    { name: 'lastSeen', type: 'u64' },
  ],
});

/** Ways per set: 4 x 32 bytes, two cache lines, one array element (CT4_SET_SIZE). */
export const CT4_WAYS = 4;
export const CT4_SET_SIZE = CT4_WAYS * CtWay4.size;

/**
 * Element 0 of the IPv4 conntrack table, in place of a set: the hash's per-table random `seed` and
 * `setMask` (sets - 1; sets are elements 1..sets). Written once by user space when it creates the
 * table, before any program sees it; they live and die with the table, so a table carried over
 * keeps its entries where its seed put them.
 */
export const Ct4Header = defineLayout('ct4_header', {
  size: 8,
  fields: [
    { name: 'seed', type: 'u32' },
    { name: 'setMask', type: 'u32' },
  ],
});

/**
 * Conntrack value (the IPv6 table; the IPv4 table's earlier LRU hash had it too). `flags` holds the TCP FIN/RST bits seen (CtFlag), `tag` the
 * program that recorded the entry (CompiledProgram.tag). 16 bytes: every byte is paid once per
 * entry in a table that does not fit the caches, so nothing user space never reads.
 */
export const CtValue = defineLayout('ct_value', {
  size: 16,
  fields: [
    { name: 'lastSeen', type: 'u64' },
    { name: 'flags', type: 'u32' },
    { name: 'tag', type: 'u32' },
  ],
});

/** CtValue.flags: the TCP header's own bit values, so the program ORs the flags byte in. */
export const CtFlag = { FIN: 0x01, RST: 0x04 } as const;

/**
 * Fragment map: the conntrack key with `proto` = the protocol the fragment header names and the
 * 4 port bytes replaced by the datagram's identification (IPv4 16 bits, IPv6 32 bits, as on the
 * wire). Value: when the first fragment was admitted (u64 ns).
 */
export const FRAGMENT_VALUE_SIZE = 8;

/**
 * Address-set LPM trie key: all sets of one program in one trie. `set` = set index << 1 | (IPv6 ? 1 : 0)
 * as the first 32 bits of the matched data, so sets and families never meet; prefixlen = 32 + the
 * CIDR's prefix. IPv4 addresses fill the first 4 bytes of `addr`.
 */
export const LpmKey = defineLayout('lpm_key', {
  size: 24,
  fields: [
    { name: 'prefixlen', type: 'u32' },
    { name: 'set', type: 'u32' },
    { name: 'addr', type: 'bytes[16]' },
  ],
});
/** LPM value: 1 = member of the set, 0 = a hole (`except`) of it. */
export const LPM_VALUE_SIZE = 1;

/** Per-rule counters, per CPU. */
export const RuleCounter = defineLayout('rule_counter', {
  size: 16,
  fields: [
    { name: 'packets', type: 'u64' },
    { name: 'bytes', type: 'u64' },
  ],
});

/** Fields of the flow event; the State below starts with them. */
const FLOW_EVENT_FIELDS = [
  { name: 'ts', type: 'u64' },
  { name: 'tag', type: 'u32' },
  { name: 'ruleSlot', type: 'u32' },
  { name: 'stagedSlot', type: 'u32' },
  { name: 'bytes', type: 'u32' },
  { name: 'kind', type: 'u8' },
  { name: 'verdict', type: 'u8' },
  { name: 'stagedVerdict', type: 'u8' },
  { name: 'hook', type: 'u8' },
  { name: 'tcpFlags', type: 'u8' },
  { name: 'icmpType', type: 'u8' },
  { name: 'icmpCode', type: 'u8' },
  { name: 'pad0', type: 'u8' },
  // conntrack key (CtKey)
  { name: 'ifindex', type: 'u32' },
  { name: 'proto', type: 'u8' },
  { name: 'family', type: 'u8' },
  { name: 'pad1', type: 'u16' },
  { name: 'lport', type: 'be16' },
  { name: 'rport', type: 'be16' },
  { name: 'local', type: 'bytes[16]' },
  { name: 'remote', type: 'bytes[16]' },
  { name: 'pad2', type: 'u32' },
] as const;

export const FLOW_EVENT_SIZE = 80;

/** The flow event: what the ring buffer carries, the first FLOW_EVENT_SIZE bytes of State. */
export const FlowEventLayout = defineLayout('flow_event', { size: FLOW_EVENT_SIZE, fields: FLOW_EVENT_FIELDS });

/**
 * Allowed new flows are not sent one by one: each adds to an entry of the node-wide `flow_aggregates`
 * hash under this key, what a flow log entry tells apart (agent/flows/aggregator.ts): endpoint
 * interface and direction, remote address, protocol, the server's port (egress: `rport`, ingress:
 * `lport`, as on the wire), the deciding rule and the staged verdict and rule. The client's port is
 * left out, so a client opening flows from ever new ports updates one entry in place instead of
 * costing a ring buffer record and its decoding each (issue 13: new-flow UDP). Denied and logged
 * flows still go out one by one through the ring buffer.
 */
export const FlowAggregateKey = defineLayout('flow_aggregate_key', {
  size: 64,
  fields: [
    { name: 'tag', type: 'u32' },
    { name: 'ruleSlot', type: 'u32' },
    { name: 'stagedSlot', type: 'u32' },
    { name: 'ifindex', type: 'u32' },
    { name: 'verdict', type: 'u8' },
    { name: 'stagedVerdict', type: 'u8' },
    { name: 'hook', type: 'u8' },
    { name: 'proto', type: 'u8' },
    { name: 'family', type: 'u8' },
    { name: 'icmpType', type: 'u8' },
    { name: 'icmpCode', type: 'u8' },
    { name: 'pad0', type: 'u8' },
    { name: 'port', type: 'be16' },
    { name: 'pad1', type: 'u16' },
    { name: 'local', type: 'bytes[16]' },
    { name: 'remote', type: 'bytes[16]' },
    { name: 'pad2', type: 'u32' },
  ],
});

/** What the flows of one FlowAggregateKey added up to since the agent last drained the entry. */
export const FlowAggregateValue = defineLayout('flow_aggregate_value', {
  size: 32,
  fields: [
    { name: 'count', type: 'u64' },
    { name: 'bytes', type: 'u64' },
    { name: 'firstSeen', type: 'u64' },
    { name: 'lastSeen', type: 'u64' },
  ],
});

/**
 * Per-packet working state, in a per-CPU array map (one entry), not on the stack: values loaded
 * from map memory are unknown to the verifier, so every rule boundary of a policy program is the
 * same verifier state and pruning keeps verification linear in the program's length (Calico's
 * polprog keeps its state in a map for the same reason). tc programs run with bottom halves off,
 * so one CPU never runs two of them at once and the entry is the packet's own.
 *
 * The first FLOW_EVENT_SIZE bytes are the flow event, sent to the ring buffer as they are; the
 * conntrack key sits inside it at `ifindex`.
 */
export const State = defineLayout('packet_state', {
  size: 336,
  fields: [
    ...FLOW_EVENT_FIELDS,
    // address-set lookup key (LpmKey)
    { name: 'lpmPrefixlen', type: 'u32' },
    { name: 'lpmSet', type: 'u32' },
    { name: 'lpmAddr', type: 'bytes[16]' },
    // policy inputs
    { name: 'dport', type: 'u32' },
    { name: 'familyBit', type: 'u32' },
    { name: 'fragment', type: 'u8' },
    { name: 'fragmentProto', type: 'u8' },
    { name: 'headerOffset', type: 'u16' }, // the IPv6 walk's next header, from the packet start
    { name: 'fragmentId', type: 'u32' },
    // conntrack value being created (CtValue)
    { name: 'ctLastSeen', type: 'u64' },
    { name: 'ctFlags', type: 'u32' },
    { name: 'ctTag', type: 'u32' },
    // key for counter/stat lookups (a map key in map memory is never a verifier constant)
    { name: 'mapKey', type: 'u32' },
    // policy input: source port of the packet (host order), NO_PORT for protocols without ports
    { name: 'sport', type: 'u32' },
    // bandwidth: the endpoint lookup key (BandwidthEndpointKey), the endpoint's bucket indexes and
    // its fair-share bucket, what each bucket was charged (ns), so a later bucket's refusal can give
    // it back, and whether the endpoint's fair share was charged
    { name: 'bwIfindex', type: 'u32' },
    { name: 'bwHook', type: 'u32' },
    { name: 'bwBucket0', type: 'u32' },
    { name: 'bwBucket1', type: 'u32' },
    { name: 'bwBucket2', type: 'u32' },
    { name: 'bwShare', type: 'u32' },
    { name: 'bwCost0', type: 'u64' },
    { name: 'bwCost1', type: 'u64' },
    { name: 'bwCost2', type: 'u64' },
    { name: 'bwShareCost', type: 'u64' },
    { name: 'bwShareCharged', type: 'u32' },
    { name: 'bwPad', type: 'u32' },
    // an allowed new flow's aggregate: the key (FlowAggregateKey) and a first value (FlowAggregateValue)
    { name: 'aggKey', type: 'bytes[64]' },
    { name: 'aggValue', type: 'bytes[32]' },
    // an IPv4 packet's conntrack key (CtWay4's first 16 bytes), built from the one at `ifindex`;
    // its set (the table's element), and the way the lookup chose for a record (its byte offset in
    // the set) with that way's sequence word as the lookup saw it
    { name: 'ct4Key', type: 'bytes[16]' },
    { name: 'ct4Set', type: 'u32' },
    { name: 'ct4Way', type: 'u32' },
    { name: 'ct4Seq', type: 'u32' },
    { name: 'ct4Pad', type: 'u32' },
  ],
});

export const CT_KEY_OFFSET = State.offsetOf('ifindex');
export const CT4_KEY_OFFSET = State.offsetOf('ct4Key');
export const LPM_KEY_OFFSET = State.offsetOf('lpmPrefixlen');

/**
 * One token bucket (GCRA, "virtual scheduling"), in the node-wide array `bw_buckets`. `tat` is the
 * theoretical arrival time: the ktime (ns) at which the bucket would be empty again. A packet of
 * `len` bytes costs len x nsPerByte >> BW_NS_PER_BYTE_SHIFT ns and conforms while tat - now <=
 * burstNs. Every CPU updates `tat` and the counters with atomic instructions (no spin lock: that
 * needs BTF for the map value). Rate and burst live here, not in the program, so a limit change
 * is a map write. `idHash` names the bucket (codegen never sees ids) so that an agent restarting
 * finds the buckets it left; 0 marks a free entry.
 *
 * Fair shares (codegen/fair-share.ts): a bucket divided among the endpoints charged to it (the
 * tenant ceiling) counts them in `activeShares` (epoch << 32 | pods active in the epoch before << 16
 * | pods active so far in this one); an endpoint's share bucket keeps in `epochUse` what it asked
 * of the divided bucket this epoch (epoch << 32 | ns of the divided bucket's time).
 */
export const BandwidthBucketValue = defineLayout('bw_bucket', {
  size: 80,
  fields: [
    { name: 'tat', type: 'u64' },
    { name: 'nsPerByte', type: 'u64' },
    { name: 'burstNs', type: 'u64' },
    { name: 'idHash', type: 'u64' },
    { name: 'passedPackets', type: 'u64' },
    { name: 'passedBytes', type: 'u64' },
    { name: 'droppedPackets', type: 'u64' },
    { name: 'droppedBytes', type: 'u64' },
    { name: 'activeShares', type: 'u64' },
    { name: 'epochUse', type: 'u64' },
  ],
});

/** Fractional bits of BandwidthBucketValue.nsPerByte (bandwidth/params.ts says why 16). */
export const BW_NS_PER_BYTE_SHIFT = 16;

/** Key of `bw_endpoints`: the host-side veth and the hook (HookCode). */
export const BandwidthEndpointKey = defineLayout('bw_endpoint_key', {
  size: 8,
  fields: [
    { name: 'ifindex', type: 'u32' },
    { name: 'hook', type: 'u32' },
  ],
});

/**
 * Value of `bw_endpoints`: bucket indexes in charge order, unused ones BW_NO_BUCKET (all at the end),
 * and the endpoint's fair-share bucket of the last one (BW_NO_BUCKET: the last is not divided).
 */
export const BandwidthEndpointValue = defineLayout('bw_endpoint', {
  size: 16,
  fields: [
    { name: 'bucket0', type: 'u32' },
    { name: 'bucket1', type: 'u32' },
    { name: 'bucket2', type: 'u32' },
    { name: 'share', type: 'u32' },
  ],
});

/** Buckets one endpoint direction is charged to: its own, a shared namespace bucket, the tenant ceiling. */
export const BW_BUCKETS_PER_ENDPOINT = 3;
export const BW_NO_BUCKET = 0xffff_ffff;

/** Policy port in State.dport for protocols without ports: outside every range a rule can hold. */
export const NO_PORT = 0x1_0000;

/** State.fragment */
export const Fragment = { NONE: 0, FIRST: 1, LATER: 2 } as const;

/** State.kind: why an event was sent. */
export const FlowKind = { ALLOWED: 1, DENIED: 2, LOGGED: 3 } as const;

/** State.verdict / stagedVerdict (0 = no staged policy selects the endpoint). */
export const VerdictCode = { NONE: 0, ALLOW: 1, DENY: 2 } as const;

/** State.ruleSlot when no rule decided (no policy, or every tier passed). */
export const NO_SLOT = 0xffff_ffff;

/** State.hook: where the program runs (host side of the pod's veth). */
export const HookCode = { FROM_POD: 0, TO_POD: 1 } as const;

/**
 * Node-wide per-CPU counters of packets the datapath decided without a rule, by reason: the index
 * into the stats map. Names are what the agent reports.
 */
export const STAT_REASONS = [
  'non_ip_passed', // ARP and every other EtherType but IPv4/IPv6
  'vlan_dropped', // an 802.1Q/802.1ad tag in the packet data: nothing on a veth sends one; parsing past it is not implemented
  'malformed_ethernet',
  'malformed_ipv4', // truncated header, bad version, IHL < 5 or options past the packet's end
  'malformed_ipv6', // truncated header or extension header, bad version
  'malformed_l4', // TCP/UDP/SCTP/ICMP header truncated
  'ipv6_ext_limit', // more than MAX_IPV6_EXT_HEADERS extension headers
  'fragment_orphan', // a non-first fragment whose first fragment was not admitted (or expired)
  'fragment_admitted', // a non-first fragment of an admitted datagram
  'nd_failsafe', // ICMPv6 neighbour discovery / MLD, passed whatever the policy
  'policy_denied', // denied by policy (new flows)
  'events_lost', // the flow ring buffer was full, or the flow aggregates map
  'state_missing', // the per-CPU state entry was missing (cannot happen: fail closed)
] as const;
export type StatReason = (typeof STAT_REASONS)[number];
export const Stat = Object.fromEntries(STAT_REASONS.map((name, i) => [name, i])) as { [K in StatReason]: number };
