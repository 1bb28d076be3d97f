// The seam between the agent's pipeline (agent/apply: which decides *what* to enforce, a verified
// bundle and the current inventory) and a dataplane (which compiles it to eBPF, loads and attaches it:
// ebpf-dataplane.ts; or only logs it: dry-run.ts). The pipeline knows nothing of programs or maps; the
// dataplane knows nothing of HTTP, trust or revisions. Contract, as the pipeline relies on it:
//
// - apply() is only asked to enforce the optional IR features the dataplane declares it supports
//   (agent/apply/admit.ts refuses a bundle using any other before apply()).
// - apply() replaces enforcement as a whole or not at all. When it reports `applied: false` (the
//   bundle does not compile within the kernel's limits, a load failed, ...) every endpoint keeps the
//   programs it had: the daemon then keeps its applied revision and reports the errors.
// - With `applied: true`, errors may still name single endpoints (say a pod whose interface vanished
//   mid-apply); the revision counts as applied.
// - apply() is never called concurrently; it may be called again with the same bundle and a new
//   inventory (pods came or went).
// - adopt() runs once before anything else: take over what a previous agent process left attached
//   (pinned links), so a restart has no gap in enforcement.
// - close() releases the process's handles but leaves programs attached: an agent that stops or
//   restarts must not open the node. Detaching is an explicit uninstall, not a shutdown.
import type { Logger } from 'pino';
import type { BundlePayload } from '../../policy/bundle/payload.ts';
import type { EndpointKey, Inventory } from '../../policy/inventory.ts';
import type { Direction } from '../../policy/ir.ts';
import type { IrFeature } from '../../policy/ir-features.ts';
import type { DataplaneErrorCode } from '../errors.ts';
import type { StrategyName } from './codegen/evaluation.ts';
import type { FlowRecord } from './flows.ts';

export interface ApplyInput {
  bundle: BundlePayload;
  inventory: Inventory;
}

/**
 * Per-endpoint statistics for the status report (program sizes, maps, strategy, bandwidth buckets
 * and their counters). Free-form by design.
 */
export interface ProgramStats {
  /** Instructions per direction, the number the kernel's verifier limits. */
  instructions?: { ingress?: number; egress?: number };
  /** 'straight-line' or 'classifier' (DESIGN "Compile"), as the code generator chose. */
  strategy?: string;
  rules?: number;
  maps?: number;
  /**
   * Token buckets per direction in charge order, each with its rate, burst and counters (packets and
   * L2 bytes passed and dropped over the limit; a shared bucket counts every endpoint charged to it).
   */
  bandwidth?: { ingress: unknown[]; egress: unknown[] };
  [detail: string]: unknown;
}

export interface DataplaneError {
  code: DataplaneErrorCode;
  message: string;
  endpoint?: EndpointKey;
}

export interface ApplyReport {
  /** True when the input is now what is enforced; false when the previous enforcement stays in place. */
  applied: boolean;
  programs: Record<EndpointKey, ProgramStats>;
  errors: DataplaneError[];
}

export interface Dataplane {
  /**
   * Optional IR features (policy/ir-features.ts) this dataplane enforces. A bundle using any other is
   * refused before apply() (agent/apply/admit.ts), so a rule is never enforced broader or narrower
   * than written.
   */
  readonly supportedIrFeatures: readonly IrFeature[];
  adopt?(): Promise<void>;
  apply(input: ApplyInput): Promise<ApplyReport>;
  /**
   * Statistics that change between applies (bandwidth counters), per endpoint: each status report
   * merges them over the last apply's `programs`.
   */
  liveStats?(): Record<EndpointKey, ProgramStats>;
  /** Counters and sizes read from the kernel now, for the agent's metrics at scrape time. */
  observe?(): DataplaneObservation;
  close(): Promise<void>;
}

/** The phases of one eBPF apply (ebpf-dataplane.ts), timed for the agent's metrics. */
export type DataplanePhase = 'plan' | 'compile' | 'load' | 'swap';

/** One rule's (or tier default's) hit counter, summed over the programs that carry it. */
export interface RuleHits {
  /** The rule's identity (every field but the counts) as one string, the same in every observation: what readers cache by. */
  key: string;
  direction: Direction;
  tier: string;
  policyId: string;
  ruleIndex: number | 'default';
  action: string;
  staged: boolean;
  packets: number;
  bytes: number;
}

/** One untracked (doNotTrack) rule's drops at XDP on one host interface (agent/datapath/xdp). */
export interface UntrackedRuleHits {
  interface: string;
  hostEndpoint: string;
  /** native (in the driver) or generic (on the skb) XDP. */
  mode: 'native' | 'generic';
  tier: string;
  policyId: string;
  ruleIndex: number;
  packets: number;
  bytes: number;
}

/** What the dataplane enforces and counts now (agent/metrics reads it at scrape time). */
export interface DataplaneObservation {
  /** Programs loaded (shared by endpoints whose policies hash alike). */
  programs: number;
  /** Entries in use and capacity of the node's maps (and the programs' address sets, summed). */
  maps: { name: string; entries: number; capacity: number }[];
  rules: RuleHits[];
  /** Node-wide packets decided without a rule (datapath/layouts.ts STAT_REASONS), since the maps were made. */
  events: Record<string, number>;
  /** Per token bucket: the pod charged to it (`namespace/name`), or undefined for one several share. */
  bandwidth: {
    pod: EndpointKey | undefined;
    direction: Direction;
    passedPackets: number;
    droppedPackets: number;
    passedBytes: number;
    droppedBytes: number;
  }[];
  /** Drops of untracked rules at XDP, per host interface and rule (absent: no host endpoint here). */
  untracked?: UntrackedRuleHits[];
}

export interface DataplaneContext {
  nodeName: string;
  stateDir: string;
  logger: Logger;
  /** bpffs mount the eBPF dataplane pins under (default /sys/fs/bpf; see pins.ts). */
  bpffsRoot?: string;
  /** Force one evaluation strategy for every program (default: chosen by size). */
  strategy?: StrategyName;
  /** Receives every decoded flow event (the agent aggregates them into flow logs). */
  onFlow?: (flow: FlowRecord) => void;
  /** Told how long each apply phase took (the agent's metrics). */
  onPhase?: (phase: DataplanePhase, seconds: number) => void;
}

/** How the entry point builds a dataplane: ebpf-dataplane.ts's `createEbpfDataplane` is one. */
export type DataplaneFactory = (context: DataplaneContext) => Promise<Dataplane>;
