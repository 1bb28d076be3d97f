// The eBPF dataplane's kernel phases on their own (agent/datapath/load.ts, swap.ts), on a veth pair in
// a namespace of the test's: load makes every program or none; swap attaches what the plan asks,
// replaces a program in place, reports an interface that is missing and detaches what the plan drops.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BandwidthEnforcement } from '../../../agent/datapath/bandwidth/enforcement.ts';
import { BandwidthMaps } from '../../../agent/datapath/bandwidth/maps.ts';
import { type CompiledNeed, compilePrograms } from '../../../agent/datapath/compile.ts';
import { InterfaceAttacher, type InterfaceState } from '../../../agent/datapath/interfaces.ts';
import { type LoadedProgram, loadPrograms } from '../../../agent/datapath/load.ts';
import { pinLayout } from '../../../agent/datapath/pins.ts';
import { type ApplyPlan, planApply } from '../../../agent/datapath/plan.ts';
import { closeSharedMaps, createSharedMaps, type SharedMaps } from '../../../agent/datapath/shared-maps.ts';
import { swap } from '../../../agent/datapath/swap.ts';
import { ensureBpffs } from '../../../bpf/kernel/pin.ts';
import { inventorySchema } from '../../../policy/inventory.ts';
import type { Policy } from '../../../policy/ir.ts';
import { parsePolicyObject } from '../../../policy/kinds/index.ts';
import { buildPolicySet } from '../../../policy/policy-set.ts';
import { describeIf, NEEDS_KERNEL_BPF } from '../../support/needs.ts';
import { kernelAvailable, uniqueSuffix } from '../bpf/harness.ts';

function webIngress(port: number): Policy {
  const parsed = parsePolicyObject({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { namespace: 'x', name: 'web' },
    spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port }] }] },
  });
  if (!parsed.ok) throw new Error('invalid test policy');
  return parsed.ir;
}

const inventoryOn = (ifname: string) =>
  inventorySchema.parse({
    namespaces: [{ name: 'x' }],
    endpoints: [{ namespace: 'x', name: 'web', labels: { app: 'web' }, ipv4: ['198.18.0.10'], hostInterface: ifname }],
  });

describeIf(kernelAvailable(), NEEDS_KERNEL_BPF)('load and swap phases', () => {
  const ns = `palisade-ph-${uniqueSuffix()}`;
  const pins = pinLayout(`phases-${uniqueSuffix()}`);
  let shared: SharedMaps;
  let attacher: InterfaceAttacher;
  let bandwidth: BandwidthEnforcement;
  const interfaces = new Map<string, InterfaceState>();
  /** Every program loaded here, as the dataplane would keep them. */
  const programs = new Map<string, LoadedProgram>();

  beforeAll(() => {
    // The attacher pins links under the bpffs; a fresh machine may not have it mounted yet.
    ensureBpffs(pins.root);
    shared = createSharedMaps({ conntrack: 1024, conntrack6: 1024, fragments: 64, flowRing: 64 * 1024 });
    bandwidth = new BandwidthEnforcement(new BandwidthMaps(shared.bwBuckets, shared.bwEndpoints));
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['-n', ns, 'link', 'add', 'ph-a', 'type', 'veth', 'peer', 'name', 'ph-b']);
    attacher = new InterfaceAttacher(pins, ns);
  });
  afterAll(() => {
    for (const state of interfaces.values()) for (const h of Object.values(state.hooks)) h.attachment.close();
    for (const p of programs.values()) p.close();
    if (shared) closeSharedMaps(shared);
    rmSync(pins.node, { recursive: true, force: true });
    try {
      execFileSync('ip', ['netns', 'del', ns]);
    } catch {
      // not made
    }
  });

  function planFor(policies: Policy[], ifname = 'ph-a'): ApplyPlan {
    const planned = planApply(buildPolicySet(policies), inventoryOn(ifname), {
      resolveBandwidth: () => ({ endpoints: new Map(), issues: [] }),
      bucketTable: bandwidth.bucketTable(),
    });
    if (!planned.ok) throw new Error(JSON.stringify(planned.errors));
    return planned.plan;
  }

  /** compile -> load -> swap, as ebpf-dataplane.ts runs them. */
  function apply(plan: ApplyPlan) {
    const needed = new Map([...plan.programs].filter(([key]) => !programs.has(key)));
    const compiled = compilePrograms(needed);
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    const loaded = loadPrograms(compiled.compiled, shared);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    for (const [key, p] of loaded.loaded) programs.set(key, p);
    return swap(plan, { attacher, interfaces, bandwidth, programOf: (key) => programs.get(key)! });
  }

  const programIds = (ifname: string) =>
    Object.fromEntries(Object.entries(interfaces.get(ifname)?.hooks ?? {}).map(([hook, h]) => [hook, attacher.inNetns(() => h.attachment.programId())]));

  it('loads every compiled program, or none: one the verifier refuses names its endpoints', () => {
    const compiled = compilePrograms(planFor([webIngress(80)]).programs);
    if (!compiled.ok) throw new Error('compile failed');
    const [key, good] = [...compiled.compiled][0]!;
    // cut short, the program falls off its end: the verifier refuses it
    const broken: CompiledNeed = {
      endpoints: ['x/broken'],
      compiled: { ...good.compiled, assembled: { ...good.compiled.assembled, instructions: good.compiled.assembled.instructions.slice(0, 4) } },
    };
    const refused = loadPrograms(
      new Map([
        [key, good],
        ['broken', broken],
      ]),
      shared,
    );
    expect(refused).toMatchObject({ ok: false, errors: [{ code: 'LOAD_FAILED', endpoint: 'x/broken' }] });

    const loaded = loadPrograms(new Map([[key, good]]), shared);
    expect(loaded.ok && [...loaded.loaded.keys()]).toEqual([key]);
    if (loaded.ok) for (const p of loaded.loaded.values()) p.close();
  });

  it('attaches both hooks, replaces a program in place, and detaches an endpoint the plan drops', () => {
    const first = apply(planFor([webIngress(80)]));
    expect(first).toMatchObject({ ok: true, errors: [], programs: { 'x/web': { interface: 'ph-a', attach: attacher.kind, strategy: 'straight-line' } } });
    const attached = programIds('ph-a');
    expect(Object.keys(attached).sort()).toEqual(['from-pod', 'to-pod']);
    const toPod = interfaces.get('ph-a')!.hooks['to-pod']!.attachment;

    const second = apply(planFor([webIngress(443)]));
    expect(second.ok).toBe(true);
    const replaced = programIds('ph-a');
    expect(replaced['to-pod']).not.toBe(attached['to-pod']); // the new policy's program
    expect(replaced['from-pod']).toBe(attached['from-pod']); // the open egress program is unchanged
    expect(interfaces.get('ph-a')!.hooks['to-pod']!.attachment).toBe(toPod); // the same link, updated

    const none = apply(planFor([]));
    expect(none).toMatchObject({ ok: true, programs: { 'x/web': { strategy: 'none' } } });
    expect(interfaces.size).toBe(0);
  });

  it('reports an endpoint whose interface does not exist, and applies the rest', () => {
    const result = apply(planFor([webIngress(80)], 'ph-gone'));
    expect(result).toMatchObject({ ok: true, errors: [{ code: 'INTERFACE_MISSING', endpoint: 'x/web' }] });
    expect(interfaces.size).toBe(0);
  });
});
