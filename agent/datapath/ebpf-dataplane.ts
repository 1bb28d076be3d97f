// The eBPF dataplane (dataplane.ts's contract). apply() runs four phases, each in its own file:
// plan (plan.ts: resolve the bundle against the inventory, what every local endpoint needs), compile
// (compile.ts: the programs not running yet), load (load.ts: into the kernel, before touching any
// interface), swap (swap.ts: per interface atomically, tcx link update / tc replace, so a packet sees
// the old program or the new one, never none); a failure before the swap leaves enforcement as it
// was. Links and the node's shared maps are pinned, so enforcement and conntrack outlive the agent;
// adopt() takes them back after a restart and the next apply replaces their programs in place.
//
// Programs are shared: endpoints whose direction policies hash alike run the same program (it
// reads the interface from the skb), so a node's program count follows its distinct policies, not
// its pods. An endpoint with policy in one direction only still gets an allow program on the other
// hook: it records the flows the pod opens, so their replies pass the enforced direction.
//
// Bandwidth limits are token buckets in two node-wide maps (bandwidth/): the endpoints with limits
// run the variant of their programs that charges allowed packets to them, and a limit change is a
// map write, not a new program. Bucket state survives applies and restarts while a bucket's id,
// rate and burst stay the same.
//
// Host endpoints (Calico HostEndpoint with doNotTrack policies) get an XDP program on their
// interface after the pods' swap (xdp/host-protection.ts); their failures are reported per interface.
import { existsSync, rmSync, statfsSync, writeSync } from 'node:fs';
import type { Logger } from 'pino';
import type { AttachKind } from '../../bpf/kernel/attach/index.ts';
import { splitPerCpu } from '../../bpf/kernel/percpu.ts';
import { ensureBpffs } from '../../bpf/kernel/pin.ts';
import { RingBufferReader } from '../../bpf/kernel/ringbuf.ts';
import type { EndpointKey } from '../../policy/inventory.ts';
import type { Direction } from '../../policy/ir.ts';
import type { IrFeature } from '../../policy/ir-features.ts';
import { type BandwidthCounter, BandwidthEnforcement } from './bandwidth/enforcement.ts';
import { BandwidthMaps } from './bandwidth/maps.ts';
import { type BandwidthResolver, resolveLocalBandwidth } from './bandwidth/source.ts';
import type { StrategyName } from './codegen/evaluation.ts';
import { type Hook, hookOf } from './codegen/hooks.ts';
import type { RuleSlot } from './codegen/slots.ts';
import { compilePrograms } from './compile.ts';
import type {
  ApplyInput,
  ApplyReport,
  Dataplane,
  DataplaneError,
  DataplaneFactory,
  DataplaneObservation,
  DataplanePhase,
  ProgramStats,
  UntrackedRuleHits,
} from './dataplane.ts';
import { DatapathError } from './errors.ts';
import { decodeFlowAggregate, decodeFlowEvent, type FlowRecord } from './flows.ts';
import { HOOKS, InterfaceAttacher, type InterfaceState } from './interfaces.ts';
import { STAT_REASONS, type StatReason } from './layouts.ts';
import type { SharedMapSizes } from './limits.ts';
import { type LoadedProgram, loadPrograms, type RuleCount } from './load.ts';
import { observeDatapath } from './observe.ts';
import { type PinLayout, pinLayout } from './pins.ts';
import { planApply } from './plan.ts';
import { closeSharedMaps, type OpenedSharedMaps, openSharedMaps, openSharedMapsOffThread, type SharedMaps } from './shared-maps.ts';
import { dropInterface, swap } from './swap.ts';
import { HostProtection } from './xdp/host-protection.ts';

export interface EbpfDataplaneOptions {
  nodeName: string;
  logger: Logger;
  /** bpffs mount to pin under (default /sys/fs/bpf; see pins.ts for agents in a private mount namespace). */
  bpffsRoot?: string;
  /** Network namespace holding the host interfaces (default: the process's own). */
  netns?: string;
  /** Force tc or tcx (default: tcx when the kernel has it). */
  attachKind?: AttachKind;
  /** Every flow event and allowed-flow aggregate, decoded (default: logged at debug level). */
  onFlow?: (flow: FlowRecord) => void;
  /** How often the flow ring buffer is drained (default 100 ms). */
  flowPollMs?: number;
  /**
   * How often the allowed flows' aggregates are drained (default 1 s): well inside a flow log bucket
   * (15 s), so an aggregate lands in the bucket its flows belong to but for the last second's.
   */
  flowAggregateMs?: number;
  /** Node-wide map sizes (tests use small ones). */
  mapSizes?: Partial<SharedMapSizes>;
  /** Force one evaluation strategy for every program (default: chosen by size; codegen/strategy.ts). */
  strategy?: StrategyName;
  /** Each local endpoint's token buckets (default: the policy side's resolver, bandwidth/source.ts). */
  resolveBandwidth?: BandwidthResolver;
  /** Told how long each apply phase took (the agent's metrics). */
  onPhase?: (phase: DataplanePhase, seconds: number) => void;
  /**
   * Fault tests only: asked before an apply's swap; when it says yes, the swap stops after its
   * first interface and the process blocks there (never returns), so a test can SIGKILL the agent
   * with some interfaces on the new bundle and the rest on the old one. Set only from the
   * environment variable PALISADE_TEST_HOLD_SWAP_IF_EXISTS (see createEbpfDataplane), never in a
   * real run.
   */
  holdSwap?: () => boolean;
}

/** The line the held agent writes, which the fault test waits for. */
export const SWAP_HELD_MESSAGE = 'test hook: swap held mid-apply';

/** Blocks the whole process without spinning: the fault test kills it while it waits here. */
function holdForever(): never {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0);
}

export interface AttachedEndpoint {
  endpoint?: EndpointKey;
  ifname: string;
  ifindex: number;
  /** Kernel program id per hook. */
  programIds: Partial<Record<Hook, number>>;
}

export interface EbpfDataplane extends Dataplane {
  adopt(): Promise<void>;
  /** What is attached now, by host interface. */
  attached(): AttachedEndpoint[];
  /** Per-rule counters of an endpoint's program for a direction, with the rule identities. */
  ruleCounters(endpoint: EndpointKey, direction: Direction): { rule: RuleSlot; count: RuleCount }[];
  /** Node-wide counters of packets decided without a rule (malformed, failsafe, fragments, ...). */
  stats(): Record<StatReason, number>;
  /** Every token bucket enforced now, with its counters. */
  bandwidthCounters(): BandwidthCounter[];
  /** Drops of the untracked (doNotTrack) rules at XDP, per host interface and rule. */
  untrackedHits(): UntrackedRuleHits[];
  observe(): DataplaneObservation;
  liveStats(): Record<EndpointKey, ProgramStats>;
  /** Drain the flow ring buffer and the allowed flows' aggregates now (both are also drained on timers); the records drained. */
  drainFlows(): number;
  /** Detach every program and remove every pin of this node: an explicit uninstall, never a shutdown. */
  uninstall(): Promise<void>;
}

/** f_type of bpffs (BPF_FS_MAGIC). */
const BPF_FS_MAGIC = 0xcafe4a11;
function isBpffs(path: string): boolean {
  try {
    return Number(statfsSync(path).type) === BPF_FS_MAGIC;
  } catch {
    return false;
  }
}

/**
 * Optional IR features (policy/ir-features.ts) enforced. policy/evaluation resolves each into what a
 * packet carries: remote sets for network sets and peer nets; protocol number, IP version, ICMP
 * type/code and source ports as term conditions; notPeers, notPorts, notSrcPorts, notProtocol,
 * notICMP as a term's `except` list; local peers judged statically for the endpoint the program
 * protects; staged targets as `stagedOut` policies. The program generator checks the term
 * conditions (codegen/straight-line.ts). `serviceAccounts` and `nodePeers` resolve to addresses
 * from the inventory's optional `serviceAccount` (per endpoint) and `nodes`, which the Kubernetes
 * inventory source fills from its ServiceAccount and Node watches (agent/inventory/).
 * `servicePeers` resolve to the addresses (and, for destination services, the ports) of the
 * inventory's `services`, which the Kubernetes source fills from its EndpointSlice watch.
 *
 * `untrackedHostPolicy`: doNotTrack policies' rules on this node's host endpoints, compiled to an
 * XDP program per host interface (xdp/host-protection.ts).
 *
 * `bandwidth`: BandwidthPolicies and the plan's ceiling (with the pods' bandwidth annotations) become
 * token buckets (policy/bandwidth/resolve.ts) that the programs of limited endpoints police.
 *
 * A file inventory (the lab, agent/inventory/file-source.ts) passes on only what the file holds: it
 * must supply `serviceAccount` on its endpoints, `nodes` and `services` itself, or policies selecting
 * by service account match no pod and rules naming nodes or Services match no address (narrower
 * than written).
 */
export const SUPPORTED_IR_FEATURES: readonly IrFeature[] = [
  'notPorts',
  'sourcePorts',
  'protocolNumbers',
  'notProtocol',
  'icmp',
  'ipVersion',
  'notPeers',
  'localPeers',
  'nodePeers',
  'serviceAccounts',
  'networkSets',
  'peerNets',
  'stagedTargets',
  'bandwidth',
  'untrackedHostPolicy',
  'servicePeers',
];

class EbpfDataplaneImpl implements EbpfDataplane {
  readonly supportedIrFeatures = SUPPORTED_IR_FEATURES;
  private readonly log: Logger;
  private readonly pins: PinLayout;
  private readonly attacher: InterfaceAttacher;
  private shared: SharedMaps | undefined;
  private reader: RingBufferReader | undefined;
  private aggregateTimer: NodeJS.Timeout | undefined;
  private adopted = false;
  private adopting: Promise<void> | undefined;
  /** Loaded programs by key, each attached to one or more hooks. */
  private programs = new Map<string, LoadedProgram>();
  private interfaces = new Map<string, InterfaceState>();
  /** Slot tables by program tag: this generation's and the previous one's (events in flight). */
  private slotTables = new Map<number, readonly RuleSlot[]>();
  private readonly slotsOf = (tag: number) => this.slotTables.get(tag);
  private endpointByIfindex = new Map<number, { endpoint?: EndpointKey; ifname: string }>();
  private bandwidth: BandwidthEnforcement | undefined;
  private readonly host: HostProtection;

  constructor(private readonly options: EbpfDataplaneOptions) {
    this.log = options.logger;
    this.pins = pinLayout(options.nodeName, options.bpffsRoot);
    this.attacher = new InterfaceAttacher(this.pins, options.netns, options.attachKind);
    this.host = new HostProtection(options.nodeName, options.logger, options.netns);
  }

  /** The node-wide maps, opened (or created) on first use. */
  private open(): SharedMaps {
    if (this.shared) return this.shared;
    if (this.adopting) throw new DatapathError('PIN_FAILED', 'the datapath maps are being opened by adopt(); await it first');
    this.ensurePinRoot();
    return this.useShared(openSharedMaps(this.pins.maps, this.options.mapSizes));
  }

  /** open(), with the maps the node lacks created on worker threads while this thread goes on (adopt()). */
  private async openOffThread(): Promise<void> {
    if (this.shared) return;
    this.ensurePinRoot();
    this.useShared(await openSharedMapsOffThread(this.pins.maps, this.options.mapSizes));
  }

  private ensurePinRoot(): void {
    const mounted = !isBpffs(this.pins.root);
    try {
      ensureBpffs(this.pins.root);
    } catch (error) {
      throw new DatapathError('PIN_FAILED', `bpffs at ${this.pins.root}: ${(error as Error).message}`, { cause: error });
    }
    if (mounted) {
      this.log.warn(
        { bpffs: this.pins.root },
        'mounted a new bpffs for the pins: if this process runs in a private mount namespace (ip netns exec), the pins, and with them enforcement, end with it; point PALISADE_BPFFS at the host bpffs (see agent/datapath/pins.ts)',
      );
    }
  }

  private useShared(opened: OpenedSharedMaps): SharedMaps {
    if (opened.carried.length > 0) this.log.info({ maps: opened.carried }, 'pinned maps of another capacity were re-created with their entries');
    if (opened.replaced.length > 0) this.log.warn({ maps: opened.replaced }, 'pinned maps had another layout and were replaced (their entries are lost)');
    this.log.info({ pins: this.pins.node, reused: opened.reused, attach: this.attacher.kind }, 'datapath maps ready');
    this.shared = opened.maps;
    this.bandwidth = new BandwidthEnforcement(new BandwidthMaps(opened.maps.bwBuckets, opened.maps.bwEndpoints));
    this.reader = new RingBufferReader(opened.maps.flows, (bytes) => this.onEvent(bytes));
    this.reader.start(this.options.flowPollMs ?? 100, (error) => this.log.warn({ err: error }, 'flow ring buffer drain failed'));
    this.aggregateTimer = setInterval(() => {
      try {
        this.drainAggregates();
      } catch (error) {
        this.log.warn({ err: error }, 'flow aggregates drain failed');
      }
    }, this.options.flowAggregateMs ?? 1000);
    this.aggregateTimer.unref();
    return opened.maps;
  }

  private onEvent(bytes: Buffer): void {
    this.deliver(decodeFlowEvent(bytes, this.slotsOf));
  }

  /** Each entry is read and deleted in one step (BPF_MAP_LOOKUP_AND_DELETE_BATCH), so no flow is counted twice. */
  private drainAggregates(): number {
    if (!this.shared) return 0;
    const { keys, values } = this.shared.flowAggregates.lookupBatch({ andDelete: true });
    for (let i = 0; i < keys.length; i++) this.deliver(decodeFlowAggregate(keys[i]!, values[i]!, this.slotsOf));
    return keys.length;
  }

  private deliver(record: FlowRecord): void {
    // set in place, not spread into a copy: one event arrives per denied flow
    const where = this.endpointByIfindex.get(record.ifindex);
    if (where?.endpoint) record.endpoint = where.endpoint;
    if (where) record.interface = where.ifname;
    if (this.options.onFlow) this.options.onFlow(record);
    else this.log.debug({ flow: { ...record, timeNs: String(record.timeNs) } }, 'flow');
  }

  /**
   * Once (a failed adopt is tried again by the next call): the daemon starts it beside reading and
   * verifying the last good bundle, and apply() waits for the same run instead of starting another.
   */
  adopt(): Promise<void> {
    if (this.adopted) return Promise.resolve();
    this.adopting ??= this.adoptOnce().finally(() => {
      this.adopting = undefined;
    });
    return this.adopting;
  }

  private async adoptOnce(): Promise<void> {
    await this.openOffThread();
    const { interfaces, dropped } = this.attacher.adoptPinned();
    for (const state of interfaces) this.interfaces.set(state.ifname, state);
    this.adopted = true;
    this.log.info({ interfaces: interfaces.map((i) => i.ifname), dropped }, 'adopted pinned programs of the previous agent');
  }

  /** Runs one apply phase, telling onPhase how long it took (failed phases too). */
  private timed<T>(phase: DataplanePhase, run: () => T): T {
    const started = performance.now();
    try {
      return run();
    } finally {
      this.options.onPhase?.(phase, (performance.now() - started) / 1000);
    }
  }

  async apply({ bundle, inventory }: ApplyInput): Promise<ApplyReport> {
    await this.adopt();
    const shared = this.open();
    const bandwidth = this.bandwidth!;
    const refused = (errors: DataplaneError[], why: string): ApplyReport => {
      this.log.error({ revision: bundle.revision, errors }, `${why}; enforcement unchanged`);
      return { applied: false, programs: {}, errors };
    };

    const planned = this.timed('plan', () =>
      planApply(bundle.policy, inventory, {
        resolveBandwidth: this.options.resolveBandwidth ?? resolveLocalBandwidth,
        bucketTable: bandwidth.bucketTable(),
      }),
    );
    if (!planned.ok) return refused(planned.errors, 'bundle cannot be planned');
    const { plan } = planned;

    const notLoaded = new Map([...plan.programs].filter(([key]) => !this.programs.has(key)));
    const compiled = this.timed('compile', () => compilePrograms(notLoaded, { ...(this.options.strategy && { strategy: this.options.strategy }) }));
    if (!compiled.ok) return refused(compiled.errors, 'compile failed');

    const loaded = this.timed('load', () => loadPrograms(compiled.compiled, shared));
    if (!loaded.ok) return refused(loaded.errors, 'load failed');
    const fresh = loaded.loaded;

    const swapped = this.timed('swap', () =>
      swap(plan, {
        attacher: this.attacher,
        interfaces: this.interfaces,
        bandwidth,
        programOf: (key) => (fresh.get(key) ?? this.programs.get(key))!,
        ...(this.options.holdSwap?.() && {
          afterInterface: (swapped: number) => {
            // Straight to stdout, not through pino, whose buffered write would never run once blocked.
            writeSync(1, `${JSON.stringify({ level: 40, time: Date.now(), revision: bundle.revision, swapped, msg: SWAP_HELD_MESSAGE })}\n`);
            holdForever();
          },
        }),
      }),
    );
    if (!swapped.ok) {
      for (const p of fresh.values()) p.close();
      return refused(swapped.errors, 'swap failed');
    }
    this.retain(fresh);
    // After the pods' swap and apart from it: a host interface's failure is reported, never a reason
    // to keep the pods on the previous bundle.
    const hostErrors = this.host.apply(bundle.policy, inventory);

    const errors = [...plan.warnings, ...swapped.errors, ...hostErrors];
    this.log.info(
      { revision: bundle.revision, endpoints: Object.keys(swapped.programs).length, loaded: fresh.size, programs: this.programs.size, errors: errors.length },
      'datapath applied',
    );
    return { applied: true, programs: { ...swapped.programs, ...this.host.programStats() }, errors };
  }

  /**
   * After a swap: keep the programs some hook runs, close the rest (an attached program lives on in
   * its link), and index what flow events refer to: slot tables by program tag (this generation's
   * and the previous one's, for events in flight) and endpoints by interface.
   */
  private retain(fresh: ReadonlyMap<string, LoadedProgram>): void {
    // aggregates wait up to a second for their drain: resolve theirs while their programs' tables are still here
    try {
      this.drainAggregates();
    } catch (error) {
      this.log.warn({ err: error }, 'flow aggregates drain failed');
    }
    const used = new Set<string>();
    for (const state of this.interfaces.values()) for (const h of Object.values(state.hooks)) if (h.programKey) used.add(h.programKey);
    const previous = this.programs;
    this.programs = new Map();
    for (const [key, p] of [...previous, ...fresh]) {
      if (used.has(key)) this.programs.set(key, p);
      else p.close();
    }
    const tables = new Map<number, readonly RuleSlot[]>();
    for (const p of [...previous.values(), ...this.programs.values()]) tables.set(p.compiled.tag, p.compiled.slots);
    this.slotTables = tables;
    this.endpointByIfindex = new Map([...this.interfaces.values()].map((s) => [s.ifindex, { ifname: s.ifname, ...(s.endpoint && { endpoint: s.endpoint }) }]));
  }

  attached(): AttachedEndpoint[] {
    return [...this.interfaces.values()].map((s) => ({
      ...(s.endpoint && { endpoint: s.endpoint }),
      ifname: s.ifname,
      ifindex: s.ifindex,
      programIds: Object.fromEntries(HOOKS.filter((h) => s.hooks[h]).map((h) => [h, this.attacher.inNetns(() => s.hooks[h]!.attachment.programId())])),
    }));
  }

  ruleCounters(endpoint: EndpointKey, direction: Direction): { rule: RuleSlot; count: RuleCount }[] {
    const state = [...this.interfaces.values()].find((s) => s.endpoint === endpoint);
    const key = state?.hooks[hookOf(direction)]?.programKey;
    const program = key ? this.programs.get(key) : undefined;
    if (!program) return [];
    const counts = program.readCounters();
    return program.compiled.slots.filter((s) => counts.has(s.slot)).map((rule) => ({ rule, count: counts.get(rule.slot)! }));
  }

  stats(): Record<StatReason, number> {
    const shared = this.open();
    const out = {} as Record<StatReason, number>;
    STAT_REASONS.forEach((reason, i) => {
      const key = Buffer.alloc(4);
      key.writeUInt32LE(i);
      const value = shared.stats.lookup(key);
      out[reason] = value ? splitPerCpu(value, 8).reduce((n, b) => n + Number(b.readBigUInt64LE(0)), 0) : 0;
    });
    return out;
  }

  bandwidthCounters(): BandwidthCounter[] {
    this.open();
    return this.bandwidth!.counters();
  }

  /**
   * Per endpoint with limits: its buckets per direction with their counters now (ProgramStats.bandwidth);
   * per host endpoint with untracked rules (`HostEndpoint/<name>`): its XDP drops now.
   */
  liveStats(): Record<EndpointKey, ProgramStats> {
    return { ...this.bandwidth?.liveStats(), ...this.host.programStats() };
  }

  untrackedHits(): UntrackedRuleHits[] {
    return this.host.ruleHits();
  }

  observe(): DataplaneObservation {
    const shared = this.open();
    return {
      ...observeDatapath({
        programs: this.programs.values(),
        shared,
        stats: this.stats(),
        // a share's counts are part of its ceiling's: counted once
        bandwidth: this.bandwidth!.counters().filter((c) => c.shareOf === undefined),
        bandwidthCapacity: shared.bwBuckets.maxEntries,
      }),
      untracked: this.host.ruleHits(),
    };
  }

  drainFlows(): number {
    return (this.reader?.consume() ?? 0) + this.drainAggregates();
  }

  async close(): Promise<void> {
    if (this.reader) {
      try {
        this.drainFlows();
      } catch {
        // closing anyway
      }
      this.reader.close();
      this.reader = undefined;
    }
    clearInterval(this.aggregateTimer);
    this.aggregateTimer = undefined;
    // Pinned links (and netlink XDP) keep enforcing: only our handles go.
    this.host.close();
    for (const state of this.interfaces.values()) for (const h of Object.values(state.hooks)) h.attachment.close();
    this.interfaces.clear();
    for (const p of this.programs.values()) p.close();
    this.programs.clear();
    if (this.shared) closeSharedMaps(this.shared);
    this.shared = undefined;
    this.bandwidth = undefined;
    this.adopted = false;
  }

  async uninstall(): Promise<void> {
    await this.adopt();
    for (const state of [...this.interfaces.values()]) dropInterface(state, this.attacher, this.interfaces);
    for (const error of this.host.detachAll()) this.log.warn({ error }, 'host interface left with its XDP program');
    await this.close();
    rmSync(this.pins.node, { recursive: true, force: true });
    this.log.warn({ pins: this.pins.node }, 'datapath uninstalled: nothing is enforced on this node');
  }
}

export function createEbpfDataplaneWith(options: EbpfDataplaneOptions): EbpfDataplane {
  return new EbpfDataplaneImpl(options);
}

/** Fault tests arm the swap hold (holdSwap above) by creating this file; unset, there is no hold. */
const holdSwapFile = process.env.PALISADE_TEST_HOLD_SWAP_IF_EXISTS;

/** The agent's entry point (agent/main.ts, through index.ts): the configured node, bpffs and strategy. */
export const createEbpfDataplane: DataplaneFactory = async (context) =>
  createEbpfDataplaneWith({
    nodeName: context.nodeName,
    logger: context.logger,
    ...(context.onFlow && { onFlow: context.onFlow }),
    ...(context.bpffsRoot && { bpffsRoot: context.bpffsRoot }),
    ...(context.strategy && { strategy: context.strategy }),
    ...(context.onPhase && { onPhase: context.onPhase }),
    ...(holdSwapFile && { holdSwap: () => existsSync(holdSwapFile) }),
  });
