// The eBPF dataplane (agent/dataplane.ts's contract): resolve the bundle against the inventory,
// compile each local endpoint's two directions, load every new program before touching any
// interface, then swap per interface atomically (tcx link update / tc replace: a packet sees the old
// program or the new one, never none). Links and the node's shared maps are pinned, so enforcement
// and conntrack outlive the agent; adopt() takes them back after a restart and the next apply
// replaces their programs in place.
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
import { rmSync, statfsSync } from 'node:fs';
import type { Logger } from 'pino';
import { ensureBpffs } from '../../bpf/kernel/pin.ts';
import { RingBufferReader } from '../../bpf/kernel/ringbuf.ts';
import type { AttachKind } from '../../bpf/kernel/attach/index.ts';
import { splitPerCpu } from '../../bpf/kernel/percpu.ts';
import type { Direction } from '../../policy/ir.ts';
import { unsupportedIrFeatures, type IrFeature } from '../../policy/ir-features.ts';
import { resolveEndpointPolicies } from '../../policy/evaluation/resolve.ts';
import type { EndpointPolicy } from '../../policy/evaluation/endpoint-policy.ts';
import type { ApplyInput, ApplyReport, Dataplane, DataplaneError, DataplaneFactory, ProgramStats } from '../dataplane.ts';
import type { EndpointBandwidth } from '../../policy/bandwidth/buckets.ts';
import type { EndpointKey } from '../../policy/inventory.ts';
import { BucketTableFull } from './bandwidth/allocation.ts';
import { BandwidthEnforcement, type BandwidthApply, type BandwidthCounter } from './bandwidth/enforcement.ts';
import { enforceableBandwidth } from './bandwidth/enforceable.ts';
import { BandwidthMaps } from './bandwidth/maps.ts';
import { resolveLocalBandwidth, type BandwidthResolver } from './bandwidth/source.ts';
import { hookOf, policyDirectionOf, type Hook } from './codegen/hooks.ts';
import { compileDirection } from './codegen/program.ts';
import { isStrategyName, type StrategyName } from './codegen/strategy.ts';
import type { RuleSlot } from './codegen/slots.ts';
import { DatapathError } from './errors.ts';
import { decodeFlowEvent, type FlowRecord } from './flows.ts';
import { HOOKS, InterfaceAttacher, type InterfaceState } from './interfaces.ts';
import { STAT_REASONS, type StatReason } from './layouts.ts';
import type { SharedMapSizes } from './limits.ts';
import { loadCompiledProgram, type LoadedProgram, type RuleCount } from './load.ts';
import { planLimitErrors } from './plan-limits.ts';
import { planEndpoints, programsNeeded, type HookPlan } from './plan.ts';
import { pinLayout, type PinLayout } from './pins.ts';
import { BANDWIDTH_MAP_NAMES, closeSharedMaps, openSharedMaps, SHARED_MAP_NAMES, type SharedMaps } from './shared-maps.ts';

export interface EbpfDataplaneOptions {
  nodeName: string;
  logger: Logger;
  /** bpffs mount to pin under (default /sys/fs/bpf; see pins.ts for agents in a private mount namespace). */
  bpffsRoot?: string;
  /** Network namespace holding the host interfaces (default: the process's own). */
  netns?: string;
  /** Force tc or tcx (default: tcx when the kernel has it). */
  attachKind?: AttachKind;
  /** Every flow event, decoded (default: logged at debug level). */
  onFlow?: (flow: FlowRecord) => void;
  /** How often the flow ring buffer is drained (default 100 ms). */
  flowPollMs?: number;
  /** Node-wide map sizes (tests use small ones). */
  mapSizes?: Partial<SharedMapSizes>;
  /** Force one evaluation strategy for every program (default: chosen by size; codegen/strategy.ts). */
  strategy?: StrategyName;
  /** Each local endpoint's token buckets (default: the policy side's resolver, bandwidth/source.ts). */
  resolveBandwidth?: BandwidthResolver;
}

export type { BandwidthCounter, BucketStatus } from './bandwidth/enforcement.ts';

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
  /** Drain the flow ring buffer now (it is also drained on a timer). */
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

/** The status report's numbers for one endpoint (agent/dataplane.ts ProgramStats). */
function endpointStats(hooks: readonly { hook: Hook; plan: HookPlan; program: LoadedProgram }[]): ProgramStats {
  const stats = hooks.map((h) => h.program.compiled.stats);
  const sharedMaps = SHARED_MAP_NAMES.length - (hooks.some((h) => h.plan.bandwidth) ? 0 : BANDWIDTH_MAP_NAMES.length);
  return {
    instructions: Object.fromEntries(hooks.map((h) => [policyDirectionOf(h.hook), h.program.compiled.stats.instructions])),
    // Only programs that evaluate a policy have a strategy; a direction without policy just tracks flows.
    strategy: [...new Set(hooks.filter((h) => h.plan.policy).map((h) => h.program.compiled.stats.strategy))].join(',') || 'none',
    rules: stats.reduce((n, s) => n + s.rules, 0),
    // the node's shared maps, plus each program's counters and address-set trie
    maps: sharedMaps + hooks.reduce((n, h) => n + 1 + (h.program.ipSets ? 1 : 0), 0),
    ipSetEntries: stats.reduce((n, s) => n + s.ipSetEntries, 0),
    hashes: Object.fromEntries(hooks.map((h) => [policyDirectionOf(h.hook), h.plan.policy?.hash ?? null])),
  };
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
 *
 * `bandwidth`: BandwidthPolicies and the plan's ceiling (with the pods' bandwidth annotations) become
 * token buckets (policy/bandwidth/resolve.ts) that the programs of limited endpoints police.
 *
 * A file inventory (the lab, agent/inventory/file-source.ts) passes on only what the file holds: it
 * must supply `serviceAccount` on its endpoints and `nodes` itself, or policies selecting by service
 * account match no pod and rules naming nodes match no node address (narrower than written).
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
];

class EbpfDataplaneImpl implements EbpfDataplane {
  readonly supportedIrFeatures = SUPPORTED_IR_FEATURES;
  private readonly log: Logger;
  private readonly pins: PinLayout;
  private readonly attacher: InterfaceAttacher;
  private shared: SharedMaps | undefined;
  private reader: RingBufferReader | undefined;
  private adopted = false;
  /** Loaded programs by key, each attached to one or more hooks. */
  private programs = new Map<string, LoadedProgram>();
  private interfaces = new Map<string, InterfaceState>();
  /** Slot tables by program tag: this generation's and the previous one's (events in flight). */
  private slotTables = new Map<number, readonly RuleSlot[]>();
  private endpointByIfindex = new Map<number, { endpoint?: EndpointKey; ifname: string }>();
  private bandwidth: BandwidthEnforcement | undefined;

  constructor(private readonly options: EbpfDataplaneOptions) {
    this.log = options.logger;
    this.pins = pinLayout(options.nodeName, options.bpffsRoot);
    this.attacher = new InterfaceAttacher(this.pins, options.netns, options.attachKind);
  }

  private open(): SharedMaps {
    if (this.shared) return this.shared;
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
    const opened = openSharedMaps(this.pins.maps, this.options.mapSizes);
    if (opened.replaced.length > 0) this.log.warn({ maps: opened.replaced }, 'pinned maps had another layout and were replaced (their entries are lost)');
    this.log.info({ pins: this.pins.node, reused: opened.reused, attach: this.attacher.kind }, 'datapath maps ready');
    this.shared = opened.maps;
    this.bandwidth = new BandwidthEnforcement(new BandwidthMaps(opened.maps.bwBuckets, opened.maps.bwEndpoints));
    this.reader = new RingBufferReader(opened.maps.flows, (bytes) => this.onEvent(bytes));
    this.reader.start(this.options.flowPollMs ?? 100, (error) => this.log.warn({ err: error }, 'flow ring buffer drain failed'));
    return opened.maps;
  }

  private onEvent(bytes: Buffer): void {
    const flow = decodeFlowEvent(bytes, (tag) => this.slotTables.get(tag));
    const where = this.endpointByIfindex.get(flow.ifindex);
    const record = { ...flow, ...(where?.endpoint && { endpoint: where.endpoint }), ...(where && { interface: where.ifname }) };
    if (this.options.onFlow) this.options.onFlow(record);
    else this.log.debug({ flow: { ...record, timeNs: String(record.timeNs) } }, 'flow');
  }

  async adopt(): Promise<void> {
    if (this.adopted) return;
    this.open();
    const { interfaces, dropped } = this.attacher.adoptPinned();
    for (const state of interfaces) this.interfaces.set(state.ifname, state);
    this.adopted = true;
    this.log.info({ interfaces: interfaces.map((i) => i.ifname), dropped }, 'adopted pinned programs of the previous agent');
  }

  async apply({ bundle, inventory }: ApplyInput): Promise<ApplyReport> {
    const unsupported = unsupportedIrFeatures(bundle.policy, this.supportedIrFeatures);
    if (unsupported.length > 0) {
      // applySafely refuses these before apply(); a direct caller gets the same answer
      return { applied: false, programs: {}, errors: [{ code: 'UNSUPPORTED_POLICY_FEATURES', message: `cannot enforce ${unsupported.join(', ')} yet` }] };
    }
    await this.adopt();
    const shared = this.open();
    const enforcement = this.bandwidth!;

    let resolved: Map<EndpointKey, EndpointPolicy>;
    let bandwidth: Map<EndpointKey, EndpointBandwidth>;
    const bandwidthErrors: DataplaneError[] = [];
    try {
      resolved = resolveEndpointPolicies(bundle.policy, inventory, { endpoints: 'local' });
      const asked = (this.options.resolveBandwidth ?? resolveLocalBandwidth)(bundle.policy, inventory);
      for (const issue of asked.issues) bandwidthErrors.push({ code: 'BANDWIDTH_INVALID', message: `${issue.field}: ${issue.message}`, endpoint: issue.endpoint });
      const enforceable = enforceableBandwidth(asked.endpoints);
      for (const p of enforceable.problems) bandwidthErrors.push({ code: 'BANDWIDTH_INVALID', message: p.message, endpoint: p.endpoint });
      bandwidth = enforceable.endpoints;
    } catch (error) {
      return { applied: false, programs: {}, errors: [{ code: 'COMPILE_FAILED', message: (error as Error).message }] };
    }
    const overLimits = planLimitErrors(bundle.policy, resolved);
    if (overLimits.length > 0) {
      this.log.error({ revision: bundle.revision, errors: overLimits }, 'bundle exceeds the plan limits it carries; enforcement unchanged');
      return { applied: false, programs: {}, errors: overLimits };
    }

    // 1. What every local endpoint needs, per hook, and where its token buckets go in the node's
    //    bucket array (written only once every program has loaded).
    const plans = planEndpoints(resolved, bandwidth);
    let bandwidthApply: BandwidthApply;
    try {
      bandwidthApply = enforcement.plan(plans);
    } catch (error) {
      const code = error instanceof BucketTableFull ? 'BANDWIDTH_LIMIT' : 'COMPILE_FAILED';
      return { applied: false, programs: {}, errors: [{ code, message: (error as Error).message }] };
    }

    // 2. Compile and load every program not loaded yet, before touching any interface. A failure
    //    refuses the apply as a whole, naming every endpoint that would have run the program.
    const fresh = new Map<string, LoadedProgram>();
    const errors: DataplaneError[] = [];
    for (const [key, need] of programsNeeded(plans)) {
      if (this.programs.has(key)) continue;
      try {
        const options = { ...(this.options.strategy && { strategy: this.options.strategy }), bandwidth: need.bandwidth };
        fresh.set(key, loadCompiledProgram(compileDirection(need.direction, need.policy, options), shared));
      } catch (error) {
        const code = error instanceof DatapathError ? error.code : 'LOAD_FAILED';
        for (const endpoint of need.endpoints) errors.push({ code, message: (error as Error).message, endpoint });
      }
    }
    if (errors.length > 0) {
      for (const p of fresh.values()) p.close();
      this.log.error({ revision: bundle.revision, errors }, 'compile/load failed; enforcement unchanged');
      return { applied: false, programs: {}, errors };
    }
    const programOf = (key: string): LoadedProgram => (fresh.get(key) ?? this.programs.get(key))!;
    errors.push(...bandwidthErrors);

    // 3. Swap, interface by interface; an interface's bucket entries are in place before its
    //    programs are, so a policing program never runs without them.
    try {
      enforcement.write(bandwidthApply);
    } catch (error) {
      for (const p of fresh.values()) p.close();
      return { applied: false, programs: {}, errors: [{ code: 'LOAD_FAILED', message: `bandwidth buckets: ${(error as Error).message}` }] };
    }
    const keep = new Set<string>();
    const report: Record<EndpointKey, ProgramStats> = {};
    for (const w of plans) {
      const hooks = Object.entries(w.hooks) as [Hook, HookPlan][];
      if (hooks.length === 0) {
        report[w.endpoint] = { strategy: 'none', rules: 0, maps: 0, instructions: {} };
        continue; // nothing selects it: step 4 detaches whatever it had
      }
      const ifindex = this.attacher.ifindexOf(w.ifname);
      if (ifindex === undefined) {
        errors.push({ code: 'INTERFACE_MISSING', message: `host interface ${w.ifname} does not exist`, endpoint: w.endpoint });
        continue;
      }
      let state = this.interfaces.get(w.ifname);
      if (state && state.ifindex !== ifindex) {
        // the pod's veth was re-created under the same name: the old links went with the old one
        this.dropInterface(state);
        state = undefined;
      }
      if (!state) {
        state = { ifname: w.ifname, ifindex, hooks: {} };
        this.interfaces.set(w.ifname, state);
      }
      state.endpoint = w.endpoint;
      keep.add(w.ifname);
      try {
        for (const [hook, want] of hooks) {
          if (want.bandwidth) enforcement.point(bandwidthApply, ifindex, hook, w.bandwidth![want.direction]);
        }
        for (const [hook, want] of hooks) {
          const program = programOf(want.key);
          const current = state.hooks[hook];
          if (current) {
            if (current.programKey !== want.key) this.attacher.replace(current.attachment, program.program);
            current.programKey = want.key;
          } else {
            state.hooks[hook] = { attachment: this.attacher.attach(program.program, w.ifname, ifindex, hook), programKey: want.key };
          }
        }
      } catch (error) {
        errors.push({ code: 'ATTACH_FAILED', message: (error as Error).message, endpoint: w.endpoint });
        if (Object.keys(state.hooks).length === 0) this.interfaces.delete(w.ifname);
        continue;
      }
      report[w.endpoint] = {
        ...endpointStats(hooks.map(([hook, want]) => ({ hook, plan: want, program: programOf(want.key) }))),
        interface: w.ifname,
        attach: this.attacher.kind,
      };
    }

    // 4. Interfaces no longer enforced: detach. Then bucket entries nothing points at any more.
    for (const state of [...this.interfaces.values()]) {
      if (!keep.has(state.ifname)) this.dropInterface(state);
    }
    enforcement.commit(bandwidthApply, new Map(plans.flatMap((p) => (p.bandwidth && report[p.endpoint] ? [[p.endpoint, p.bandwidth] as const] : []))));
    for (const [endpoint, stats] of Object.entries(enforcement.liveStats())) Object.assign(report[endpoint]!, stats);

    // 5. Keep the programs in use; close the rest (an attached program lives on in its link).
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

    this.log.info(
      { revision: bundle.revision, endpoints: Object.keys(report).length, loaded: fresh.size, programs: this.programs.size, errors: errors.length },
      'datapath applied',
    );
    return { applied: true, programs: report, errors };
  }

  private dropInterface(state: InterfaceState): void {
    for (const hook of HOOKS) {
      const h = state.hooks[hook];
      if (h) this.attacher.detachQuietly(h.attachment, state.ifname, hook);
    }
    this.attacher.removePinDir(state.ifname);
    this.interfaces.delete(state.ifname);
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

  /** Per endpoint with limits: its buckets per direction with their counters now (ProgramStats.bandwidth). */
  liveStats(): Record<EndpointKey, ProgramStats> {
    return this.bandwidth?.liveStats() ?? {};
  }

  drainFlows(): number {
    return this.reader?.consume() ?? 0;
  }

  async close(): Promise<void> {
    if (this.reader) {
      try {
        this.reader.consume();
      } catch {
        // closing anyway
      }
      this.reader.close();
      this.reader = undefined;
    }
    // Pinned links keep enforcing: only our handles go.
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
    for (const state of [...this.interfaces.values()]) this.dropInterface(state);
    await this.close();
    rmSync(this.pins.node, { recursive: true, force: true });
    this.log.warn({ pins: this.pins.node }, 'datapath uninstalled: nothing is enforced on this node');
  }
}

export function createEbpfDataplaneWith(options: EbpfDataplaneOptions): EbpfDataplane {
  return new EbpfDataplaneImpl(options);
}

/**
 * The agent's entry point (agent/main.ts). The bpffs root can be moved with PALISADE_BPFFS for an
 * agent whose /sys/fs/bpf is not the host's (see pins.ts).
 */
export const createEbpfDataplane: DataplaneFactory = async (context) =>
  createEbpfDataplaneWith({
    nodeName: context.nodeName,
    logger: context.logger,
    ...(context.onFlow && { onFlow: context.onFlow }),
    ...(process.env.PALISADE_BPFFS && { bpffsRoot: process.env.PALISADE_BPFFS }),
    // For tests that run the same cases through both strategies (the lab passes its environment on).
    ...(isStrategyName(process.env.PALISADE_DATAPATH_STRATEGY) && { strategy: process.env.PALISADE_DATAPATH_STRATEGY }),
  });
