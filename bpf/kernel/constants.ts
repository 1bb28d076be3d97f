// Kernel ABI numbers from include/uapi/linux/bpf.h and pkt_cls.h. Checked against the uapi
// header of Linux 6.1 (offsetof/enum values printed by a C compiler) and, for what 6.1 lacks
// (tcx), against upstream bpf.h. These are ABI: they never change once released.

/** enum bpf_func_id: helper ids for `call(...)`. */
export const Helper = {
  map_lookup_elem: 1,
  map_update_elem: 2,
  map_delete_elem: 3,
  ktime_get_ns: 5,
  trace_printk: 6, // GPL-only; writes to /sys/kernel/tracing/trace_pipe; debugging only
  get_prandom_u32: 7,
  get_smp_processor_id: 8,
  skb_store_bytes: 9,
  l3_csum_replace: 10,
  l4_csum_replace: 11,
  tail_call: 12,
  clone_redirect: 13,
  redirect: 23,
  perf_event_output: 25, // GPL-only
  skb_load_bytes: 26,
  csum_diff: 28,
  skb_change_proto: 31,
  skb_change_type: 32,
  get_hash_recalc: 34,
  csum_update: 40,
  get_socket_cookie: 46,
  set_hash: 48,
  skb_adjust_room: 50,
  redirect_map: 51,
  skb_load_bytes_relative: 68,
  fib_lookup: 69,
  skb_cgroup_id: 79,
  sk_lookup_tcp: 84,
  sk_release: 86,
  skb_ecn_set_ce: 97,
  jiffies64: 118,
  ktime_get_boot_ns: 125,
  ringbuf_output: 130,
  ringbuf_reserve: 131,
  ringbuf_submit: 132,
  ringbuf_discard: 133,
  ringbuf_query: 134,
  redirect_neigh: 152,
  redirect_peer: 155,
  ktime_get_coarse_ns: 160,
  check_mtu: 163,
  loop: 181,
  xdp_get_buff_len: 188, // 5.18+: the frame's length, fragments included (xdp_md has no len field)
  skb_set_tstamp: 192,
} as const;

export type HelperName = keyof typeof Helper;

export const HELPER_NAMES: ReadonlyMap<number, HelperName> = new Map((Object.entries(Helper) as [HelperName, number][]).map(([name, id]) => [id, name]));

/** enum bpf_prog_type (only the ones we load). */
export const ProgType = {
  SOCKET_FILTER: 1,
  SCHED_CLS: 3, // tc/tcx classifier: what we attach to veths
  SCHED_ACT: 4,
  XDP: 6,
} as const;

/** enum bpf_attach_type (only the ones we use). */
export const AttachType = {
  TCX_INGRESS: 46, // Linux 6.6+
  TCX_EGRESS: 47,
} as const;

/** enum bpf_map_type. */
export const MapType = {
  HASH: 1,
  ARRAY: 2,
  PROG_ARRAY: 3, // tail-call table
  PERF_EVENT_ARRAY: 4,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  LRU_HASH: 9, // conntrack: old entries are evicted instead of failing inserts
  LRU_PERCPU_HASH: 10,
  LPM_TRIE: 11, // IP sets: longest-prefix match; needs MapFlag.NO_PREALLOC
  RINGBUF: 27, // flow events; max_entries is the size in bytes (power of 2, page multiple)
} as const;

export const PERCPU_MAP_TYPES: ReadonlySet<number> = new Set([MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_PERCPU_HASH]);

/** Map creation flags (BPF_F_*). */
export const MapFlag = {
  NO_PREALLOC: 1, // mandatory for LPM_TRIE; optional for hash maps (allocate on insert)
  NO_COMMON_LRU: 2,
  RDONLY_PROG: 1 << 7, // programs may only read (e.g. config maps)
  WRONLY_PROG: 1 << 8,
  MMAPABLE: 1 << 10, // arrays only: user space may mmap the values (mapped-array.ts)
} as const;

/** Flags of map update (BPF_ANY / BPF_NOEXIST / BPF_EXIST). */
export const UpdateFlag = {
  ANY: 0,
  NOEXIST: 1,
  EXIST: 2,
} as const;

/** Classic tc verdicts (cls_bpf in direct-action mode; include/uapi/linux/pkt_cls.h). */
export const TcAct = {
  UNSPEC: -1, // use the default action of the classifier
  OK: 0,
  RECLASSIFY: 1,
  SHOT: 2, // drop
  PIPE: 3,
  STOLEN: 4,
  REDIRECT: 7,
} as const;

/** tcx verdicts (same numbers as tc where they overlap). */
export const Tcx = {
  NEXT: -1, // run the next program in the tcx chain (or pass if last)
  PASS: 0,
  DROP: 2,
  REDIRECT: 7,
} as const;

/** XDP verdicts (enum xdp_action). */
export const XdpAction = {
  ABORTED: 0,
  DROP: 1,
  PASS: 2,
} as const;

/** Byte offsets of `struct xdp_md` fields, the context of XDP programs (u32 each). */
export const XdpMd = {
  data: 0, // the verifier turns the load into a packet pointer, as for __sk_buff
  data_end: 4,
} as const;

/** XDP_FLAGS_* of bpf_xdp_attach (include/uapi/linux/if_link.h). */
export const XdpFlag = {
  SKB_MODE: 1 << 1, // generic XDP: runs on the skb, after the driver built it; any interface has it
  DRV_MODE: 1 << 2, // native XDP: runs in the driver before any skb exists; veth has it since 4.19
} as const;

/** Byte offsets of `struct __sk_buff` fields, the context of SCHED_CLS programs. */
export const SkBuff = {
  len: 0,
  pkt_type: 4,
  mark: 8,
  queue_mapping: 12,
  protocol: 16, // __be16 stored in a u32: ETH_P_IP reads as 0x0008 on little-endian
  vlan_present: 20,
  vlan_tci: 24,
  vlan_proto: 28,
  priority: 32,
  ingress_ifindex: 36,
  ifindex: 40,
  tc_index: 44,
  cb: 48, // u32 cb[5]: 48, 52, 56, 60, 64: scratch space shared with tail-called programs
  hash: 68,
  tc_classid: 72,
  data: 76, // u32 in the struct, but the verifier turns the load into a packet pointer
  data_end: 80,
  napi_id: 84,
  family: 88,
  remote_ip4: 92,
  local_ip4: 96,
  remote_ip6: 100,
  local_ip6: 116,
  remote_port: 132,
  local_port: 136,
  data_meta: 140,
  flow_keys: 144,
  tstamp: 152, // u64: EDT departure time when fq is the qdisc
  wire_len: 160,
  gso_segs: 164,
  sk: 168,
  gso_size: 176,
  tstamp_type: 180,
  hwtstamp: 184,
} as const;

/** sizeof(struct __sk_buff): the ctx_in size for BPF_PROG_TEST_RUN. */
export const SK_BUFF_SIZE = 192;

/** Ethernet header length; BPF_PROG_TEST_RUN refuses SCHED_CLS input shorter than this. */
export const ETH_HLEN = 14;
