// The host endpoints' XDP programs on this node (kernel side): per apply, plan (plan.ts), build the
// tables (tables.ts), load (load.ts) and attach or replace on each host interface, native XDP where
// the driver has it and generic otherwise; interfaces no longer planned are detached. A program
// whose rules and tables are unchanged stays attached with its counters. Failures are per
// interface: that interface keeps what it had (or nothing) and the error is reported, the pods'
// enforcement is never held back by a host interface.
//
// Attachments are netlink XDP, which outlives the process: after an agent restart the first apply
// replaces each interface's program in the mode it finds (counters start again from zero).
import type { Logger } from 'pino';
import { attachXdp, attachXdpPreferNative, detachXdp, type XdpMode, xdpProgramId } from '../../../bpf/kernel/attach/xdp.ts';
import { ifindexOf, withNetns } from '../../../bpf/kernel/netns.ts';
import type { Inventory } from '../../../policy/inventory.ts';
import type { PolicySet } from '../../../policy/ir.ts';
import type { DataplaneError, ProgramStats, UntrackedRuleHits } from '../dataplane.ts';
import { type LoadedXdpProgram, loadXdpProgram } from './load.ts';
import { type HostInterfacePlan, planHostProtection } from './plan.ts';
import { buildXdpTables, type XdpTables } from './tables.ts';

interface AttachedHostInterface {
  plan: HostInterfacePlan;
  ifindex: number;
  mode: XdpMode;
  /** Identity of what the program enforces: the same key, the same program. */
  key: string;
  loaded: LoadedXdpProgram;
}

function keyOf(plan: HostInterfacePlan, tables: XdpTables): string {
  return JSON.stringify({ rules: plan.rules.map(({ policyId, ruleIndex, slot }) => [policyId, ruleIndex, slot]), tables }, (_, v) =>
    typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? [...v] : v,
  );
}

export class HostProtection {
  private attached = new Map<string, AttachedHostInterface>();

  constructor(
    private readonly nodeName: string,
    private readonly log: Logger,
    private readonly netns?: string,
  ) {}

  private inNetns<T>(fn: () => T): T {
    return this.netns === undefined ? fn() : withNetns(this.netns, fn);
  }

  apply(policySet: PolicySet, inventory: Inventory): DataplaneError[] {
    let planned: ReturnType<typeof planHostProtection>;
    try {
      planned = planHostProtection(policySet, inventory, this.nodeName);
    } catch (error) {
      // Resolution throws only on inputs the schemas let through by mistake: report, keep what runs.
      return [{ code: 'COMPILE_FAILED', message: `host endpoints: ${(error as Error).message}` }];
    }
    const errors = [...planned.errors];
    const wanted = new Set(planned.interfaces.map((p) => p.interfaceName));
    for (const [name, state] of this.attached) if (!wanted.has(name)) this.drop(name, state, errors);
    for (const plan of planned.interfaces) {
      const error = this.enforce(plan);
      if (error) errors.push(error);
    }
    return errors;
  }

  private enforce(plan: HostInterfacePlan): DataplaneError | undefined {
    const tables = buildXdpTables(plan.rules);
    if (!tables.ok) return { code: tables.code, message: `${plan.hostEndpoint} (${plan.interfaceName}): ${tables.message}` };
    const key = keyOf(plan, tables.tables);
    const current = this.attached.get(plan.interfaceName);
    let ifindex: number;
    try {
      ifindex = this.inNetns(() => ifindexOf(plan.interfaceName));
    } catch {
      return { code: 'INTERFACE_MISSING', message: `${plan.hostEndpoint}: no interface ${plan.interfaceName} on this node` };
    }
    if (current && current.key === key && current.ifindex === ifindex) {
      current.plan = plan;
      return undefined;
    }
    let loaded: LoadedXdpProgram;
    try {
      loaded = loadXdpProgram('pal_xdp', tables.tables, plan.rules.length);
    } catch (error) {
      return { code: 'LOAD_FAILED', message: `${plan.hostEndpoint} (${plan.interfaceName}): ${(error as Error).message}` };
    }
    try {
      const mode = this.inNetns((): XdpMode => {
        // Replace in the mode already there (ours, or a previous agent's): the kernel refuses a
        // second mode on one interface.
        const there = current?.ifindex === ifindex ? current.mode : xdpProgramId(ifindex, 'generic') !== 0 ? 'generic' : undefined;
        if (!there) return attachXdpPreferNative(loaded.program, ifindex);
        attachXdp(loaded.program, ifindex, there);
        return there;
      });
      current?.loaded.close();
      this.attached.set(plan.interfaceName, { plan, ifindex, mode, key, loaded });
      this.log.info({ hostEndpoint: plan.hostEndpoint, interface: plan.interfaceName, mode, rules: plan.rules.length }, 'untracked rules attached at XDP');
      return undefined;
    } catch (error) {
      loaded.close();
      return { code: 'ATTACH_FAILED', message: `${plan.hostEndpoint} (${plan.interfaceName}): ${(error as Error).message}` };
    }
  }

  private drop(name: string, state: AttachedHostInterface, errors: DataplaneError[]): void {
    try {
      this.inNetns(() => detachXdp(state.ifindex, state.mode));
    } catch (error) {
      errors.push({ code: 'ATTACH_FAILED', message: `detaching XDP from ${name}: ${(error as Error).message}` });
    }
    state.loaded.close();
    this.attached.delete(name);
  }

  /** Drops per untracked rule and interface, read from the kernel now. */
  ruleHits(): UntrackedRuleHits[] {
    return [...this.attached.entries()].flatMap(([name, state]) => {
      const counts = state.loaded.readCounters();
      return state.plan.rules.map((rule) => ({
        interface: name,
        hostEndpoint: state.plan.hostEndpoint,
        mode: state.mode,
        tier: rule.tier,
        policyId: rule.policyId,
        ruleIndex: rule.ruleIndex,
        packets: counts[rule.slot]?.packets ?? 0,
        bytes: counts[rule.slot]?.bytes ?? 0,
      }));
    });
  }

  /**
   * The status report's entry per host endpoint (by its IR id, beside the pods' `namespace/name`):
   * its interface, XDP mode, rule count and drops so far.
   */
  programStats(): Record<string, ProgramStats> {
    const out: Record<string, ProgramStats> = {};
    for (const [name, state] of this.attached) {
      const droppedPackets = state.loaded.readCounters().reduce((n, c) => n + c.packets, 0);
      out[state.plan.hostEndpoint] = { rules: state.plan.rules.length, xdp: { interface: name, mode: state.mode, droppedPackets } };
    }
    return out;
  }

  /** Detach every program (uninstall). */
  detachAll(): DataplaneError[] {
    const errors: DataplaneError[] = [];
    for (const [name, state] of [...this.attached]) this.drop(name, state, errors);
    return errors;
  }

  /** Our handles only: the programs stay attached. */
  close(): void {
    for (const state of this.attached.values()) state.loaded.close();
    this.attached.clear();
  }
}
