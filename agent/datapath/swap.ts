// The swap phase (kernel I/O): with every program loaded, make the interfaces run them. The plan's
// bucket entries are written first; then interface by interface, its hooks are charged to their
// buckets and its programs attached, or replaced atomically (tcx link update / tc replace: a packet
// sees the old program or the new one, never none); interfaces no longer enforced are detached
// last, and only then are the bucket entries nothing points at any more freed. One interface that
// fails is reported and the rest go on: the bundle counts as applied.
import type { EndpointKey } from '../../policy/inventory.ts';
import type { BandwidthApply, BandwidthEnforcement } from './bandwidth/enforcement.ts';
import type { Hook } from './codegen/hooks.ts';
import type { DataplaneError, ProgramStats } from './dataplane.ts';
import { HOOKS, type InterfaceAttacher, type InterfaceState } from './interfaces.ts';
import type { LoadedProgram } from './load.ts';
import type { ApplyPlan, HookPlan } from './plan.ts';
import { endpointStats } from './program-stats.ts';

export interface SwapContext {
  attacher: InterfaceAttacher;
  /** What is attached now, by interface name: updated in place as interfaces are swapped. */
  interfaces: Map<string, InterfaceState>;
  bandwidth: BandwidthEnforcement;
  /** The loaded program of a key the plan names (this apply's or one already running). */
  programOf(key: string): LoadedProgram;
  /** Told after each interface is swapped, with how many are done (the fault tests' hold, ebpf-dataplane.ts). */
  afterInterface?: (swapped: number) => void;
}

export type SwapResult = { ok: true; programs: Record<EndpointKey, ProgramStats>; errors: DataplaneError[] } | { ok: false; errors: DataplaneError[] };

export function swap(plan: ApplyPlan, context: SwapContext): SwapResult {
  const { attacher, interfaces, bandwidth, programOf } = context;
  const buckets: BandwidthApply = { buckets: plan.buckets, pointed: [] };
  try {
    bandwidth.write(buckets);
  } catch (error) {
    // nothing points at the new entries yet: enforcement is unchanged
    return { ok: false, errors: [{ code: 'LOAD_FAILED', message: `bandwidth buckets: ${(error as Error).message}` }] };
  }
  const errors: DataplaneError[] = [];
  const keep = new Set<string>();
  const programs: Record<EndpointKey, ProgramStats> = {};
  let swapped = 0;
  for (const w of plan.endpoints) {
    const hooks = Object.entries(w.hooks) as [Hook, HookPlan][];
    if (hooks.length === 0) {
      programs[w.endpoint] = { strategy: 'none', rules: 0, maps: 0, instructions: {} };
      continue; // nothing selects it: detached below with whatever it had
    }
    const ifindex = attacher.ifindexOf(w.ifname);
    if (ifindex === undefined) {
      errors.push({ code: 'INTERFACE_MISSING', message: `host interface ${w.ifname} does not exist`, endpoint: w.endpoint });
      continue;
    }
    let state = interfaces.get(w.ifname);
    if (state && state.ifindex !== ifindex) {
      // the pod's veth was re-created under the same name: the old links went with the old one
      dropInterface(state, attacher, interfaces);
      state = undefined;
    }
    if (!state) {
      state = { ifname: w.ifname, ifindex, hooks: {} };
      interfaces.set(w.ifname, state);
    }
    state.endpoint = w.endpoint;
    keep.add(w.ifname);
    try {
      for (const [hook, want] of hooks) {
        if (want.bandwidth) bandwidth.point(buckets, ifindex, hook, w.bandwidth![want.direction], w.shares?.[want.direction]);
      }
      for (const [hook, want] of hooks) {
        const program = programOf(want.key);
        const current = state.hooks[hook];
        if (current) {
          if (current.programKey !== want.key) attacher.replace(current.attachment, program.program);
          current.programKey = want.key;
        } else {
          state.hooks[hook] = { attachment: attacher.attach(program.program, w.ifname, ifindex, hook), programKey: want.key };
        }
      }
    } catch (error) {
      errors.push({ code: 'ATTACH_FAILED', message: (error as Error).message, endpoint: w.endpoint });
      if (Object.keys(state.hooks).length === 0) interfaces.delete(w.ifname);
      continue;
    }
    programs[w.endpoint] = {
      ...endpointStats(hooks.map(([hook, want]) => ({ hook, plan: want, program: programOf(want.key) }))),
      interface: w.ifname,
      attach: attacher.kind,
    };
    context.afterInterface?.(++swapped);
  }

  for (const state of [...interfaces.values()]) {
    if (!keep.has(state.ifname)) dropInterface(state, attacher, interfaces);
  }
  const enforcing = plan.endpoints.filter((p) => p.bandwidth && programs[p.endpoint]);
  bandwidth.commit(buckets, new Map(enforcing.map((p) => [p.endpoint, p.bandwidth!])), new Map(enforcing.map((p) => [p.endpoint, p.shares ?? {}])));
  for (const [endpoint, stats] of Object.entries(bandwidth.liveStats())) Object.assign(programs[endpoint]!, stats);
  return { ok: true, programs, errors };
}

/** Detach an interface's programs and forget it (its pins go too). */
export function dropInterface(state: InterfaceState, attacher: InterfaceAttacher, interfaces: Map<string, InterfaceState>): void {
  for (const hook of HOOKS) {
    const h = state.hooks[hook];
    if (h) attacher.detachQuietly(h.attachment, state.ifname, hook);
  }
  attacher.removePinDir(state.ifname);
  interfaces.delete(state.ifname);
}
