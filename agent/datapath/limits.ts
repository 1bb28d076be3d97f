// Limits of the datapath as named constants, each with the reason for its value. Code generation
// refuses a policy that would exceed one (DatapathError COMPILE_LIMIT, with the numbers), so a bundle
// the kernel would reject never gets as far as the verifier.

/**
 * Instruction slots one policy program may have. The kernel accepts programs of up to 1,000,000
 * slots and the verifier stops after processing 1,000,000 instructions along all paths
 * (BPF_COMPLEXITY_LIMIT_INSNS). The straight-line strategy keeps per-packet state in a map value,
 * so every rule boundary is one verifier state and pruning keeps "processed" at about 1.5x the
 * slot count (measured in test/dataplane/datapath/scale.test.ts). 250,000 slots stay well under
 * the verifier's limit; in practice MAX_CONDITIONAL_JUMPS binds first (1,000 rules with an address
 * set each take about 19,000 slots).
 */
export const MAX_POLICY_PROGRAM_SLOTS = 250_000;

/**
 * Conditional jumps per program. The verifier walks paths depth first, keeping the other side of
 * every two-way branch on a stack, and gives up when that stack exceeds 8,192 states
 * (BPF_COMPLEXITY_LIMIT_JMP_SEQ: "The sequence of 8193 jumps is too complex"). Our programs only
 * jump forward, so a path meets each instruction at most once and the stack never holds more
 * states than the program has conditional jumps: under 8,000 the program cannot hit that limit,
 * whatever the verifier explores first. This is the budget that binds first for straight-line
 * code: a term costs 1 jump (protocol, ports, IP version, ICMP type/code and source ports are checked
 * without branches) plus 2 for an address set, so about 2,600 rules with sets, 1,300 when staged
 * policies repeat them. Each `except` of a term (notPorts, notPeers, ...) costs the same again: 1
 * for its branchless checks, 2 for its set. compileDirection counts the jumps of the assembled
 * program, so the limit holds whatever a term carries.
 */
export const MAX_CONDITIONAL_JUMPS = 8_000;

/**
 * Rule slots (rules plus tier defaults) per program: the per-CPU counters array has one 16-byte
 * entry per slot per CPU. 65,536 slots x 16 B x 64 CPUs = 64 MiB would be too much memory for one
 * endpoint; 20,000 is 20x a large tenant's per-endpoint plan limit and costs 320 KiB per CPU.
 */
export const MAX_RULE_SLOTS = 20_000;

/**
 * Entries of one program's address-set LPM trie (one entry per CIDR and per `except` hole, per set).
 * Tries allocate per entry (NO_PREALLOC), about 100 bytes each; 500,000 caps one endpoint at ~50 MB.
 */
export const MAX_IPSET_ENTRIES = 500_000;

/**
 * IPv6 extension headers walked before the transport header. RFC 8200 section 4.1 allows each header
 * once (Destination Options twice): hop-by-hop, destination options, routing, fragment,
 * authentication, destination options = 6. A longer chain is dropped (counted as IPV6_EXT_LIMIT):
 * the loop is unrolled, so its bound must be a constant the verifier can see.
 */
export const MAX_IPV6_EXT_HEADERS = 6;

/**
 * Bytes made linear (bpf_skb_pull_data) when the headers may not be in the skb's linear part:
 * Ethernet 14 + IPv6 40 + six extension headers + TCP 60 fits in 512 for any sane packet. Headers
 * beyond this are treated as truncated (malformed, dropped).
 */
export const PULL_BYTES = 512;

const SECOND = 1_000_000_000n;

/**
 * Idle time after which a conntrack entry no longer admits packets (checked against
 * bpf_ktime_get_ns on every hit; a full table evicts the least recently seen entries). Values as
 * Calico's BPF dataplane uses them: an idle established TCP connection older than this is
 * re-evaluated by policy on its next packet.
 */
export const CT_TIMEOUT_TCP_NS = 3600n * SECOND;
/** After a FIN or RST was seen: long enough for the closing handshake and TIME_WAIT retransmits. */
export const CT_TIMEOUT_TCP_CLOSING_NS = 60n * SECOND;
/** UDP, ICMP, SCTP and every other protocol. */
export const CT_TIMEOUT_OTHER_NS = 60n * SECOND;
/** A non-first fragment is admitted this long after its first fragment (Linux's ipfrag_time is 30 s). */
export const FRAGMENT_TIMEOUT_NS = 30n * SECOND;

/** Node-wide map sizes; the dataplane may be given smaller ones (tests). */
export interface SharedMapSizes {
  /**
   * IPv4 conntrack entries (ways) for the whole node, rounded up to CT4_WAYS times a power of two of
   * sets (ct4-table.ts): 32 bytes each, the array's only memory (no element headers, no buckets).
   */
  conntrack: number;
  /**
   * IPv6 conntrack entries (LRU hash): 112 bytes each (the kernel's 48-byte element header, CtKey's
   * 16-byte addresses, CtValue), plus the kernel's bucket array (16 bytes a bucket, as many buckets as
   * the next power of two of this number).
   */
  conntrack6: number;
  /** Fragmented datagrams in flight per node. */
  fragments: number;
  /**
   * Flow ring buffer bytes (power of two, page multiple). An event takes 88 bytes in the ring, so
   * 4 MiB holds ~47,000 events: one drain interval (100 ms) of a busy node's new and denied flows.
   */
  flowRing: number;
  /**
   * Distinct allowed-flow aggregates (layouts.ts FlowAggregateKey, ~150 bytes each with the hash's
   * own) between two drains of the agent (every second): the flow log keeps at most 5,000 entries a
   * bucket (agent/flows/aggregator.ts), so 16,384 leaves room for three seconds of distinct outcomes.
   */
  flowAggregates: number;
  /**
   * Token buckets for the node (64 bytes each, 256 KiB at 4,096): two per pod with limits in both
   * directions, one per shared namespace bucket and direction, two for the tenant ceiling. A node
   * runs at most a few hundred pods.
   */
  bandwidthBuckets: number;
  /** (interface, hook) entries naming an endpoint's buckets: two per pod with limits. */
  bandwidthEndpoints: number;
}

/**
 * IPv4: 2^20 ways (262,144 sets of 4), 32 MiB, about what the 262,145-entry LRU hash it replaced
 * took (30 MB with element headers and buckets). A set fills before the table does: with 262,145
 * live flows (the LRU's capacity) spread over 262,144 sets, 0.43% of them (~1,140, Poisson) land
 * in a set already holding 4 and push its least recently seen way out; at 2^19 ways it would be
 * 3.8%. A new flow touches one set whatever the table's size, so the size costs memory, not time.
 */
const CONNTRACK_ENTRIES = 2 ** 20;
/**
 * One entry past a power of two, so the kernel gives the LRU hash twice as many buckets as entries:
 * in a full table (every new flow evicting one entry, as new-flow floods keep it) a chain then holds
 * half an entry on average instead of one. Each entry walked is a cache and TLB miss in a table
 * larger than the caches, and a new flow walks a chain twice (its lookup miss, and the eviction that
 * makes room): measured with BPF_PROG_TEST_RUN at 10,000 rules on the IPv4 LRU hash, a new UDP flow
 * against a full table cost 920 ns with 262,144 entries and 769 ns with 262,145 (lookup miss alone
 * 432 vs 349), for 4 MB more of buckets.
 */
/**
 * IPv6 flows get 131,073 entries (14 MB of entries, 4 MB of buckets), half the IPv4 LRU hash's:
 * until issue 13 both families shared one 262,145-entry table, and most pods' traffic, dual-stack
 * or not, is IPv4.
 * Cilium likewise keeps per-family tables (and TCP apart from the rest: by default 524,288 TCP and
 * 262,144 non-TCP entries per family, `--bpf-ct-global-tcp-max` / `--bpf-ct-global-any-max`).
 */
const CONNTRACK6_ENTRIES = 2 ** 17 + 1;

export const DEFAULT_SHARED_MAP_SIZES: SharedMapSizes = {
  conntrack: CONNTRACK_ENTRIES,
  conntrack6: CONNTRACK6_ENTRIES,
  fragments: 8_192,
  flowRing: 4 * 1024 * 1024,
  flowAggregates: 16_384,
  bandwidthBuckets: 4_096,
  bandwidthEndpoints: 4_096,
};

/**
 * Terms (of the longer of the enforced and staged evaluations) from which a program evaluates
 * policy with the map-driven classifier (codegen/classifier.ts) instead of straight-line code. The
 * classifier costs a fixed 4-5 map lookups plus a search over the candidate words per new flow;
 * straight-line code costs one branch-free block per term before the deciding one. Measured with
 * BPF_PROG_TEST_RUN, packet matching the last of N rules (test/dataplane/datapath/classifier.test.ts
 * prints it): 4 rules 133 vs 149 ns, 32: 153 vs 164, 64: 170 vs 171, 128: 201 vs 183, 256: 302 vs
 * 184, 1,024: 1,056 vs 200 (straight-line vs classifier). The crossover is at about 64 terms; below
 * it straight-line is as fast or faster and needs no extra maps (~0.5 MiB of key arrays).
 */
export const CLASSIFIER_MIN_TERMS = 64;

/**
 * Bytes of one program's classifier maps (bit vectors, key arrays, LPM entries, slot table): the
 * vectors are (bits / 64 + summary) words each, one per distinct field-value class, so memory grows
 * with rules x distinct prefixes/port intervals. 10,000 rules with distinct /32s and ports take
 * 12.8 MiB (classifier.test.ts); 64 MiB admits about twice that with port ranges, and refuses the
 * quadratic cases before they cost a node its memory.
 */
export const MAX_CLASSIFIER_BYTES = 64 * 1024 * 1024;
