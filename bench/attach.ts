// Figure 3: from a bundle's arrival to its programs attached, on the lab's real interfaces.
//
// The clock starts with the signed bundle bytes (the JWS) in hand, as the agent has them when its
// long-poll returns; it runs through the agent's acceptance check (agent/apply/accept.ts:
// signature, identity, revision, expiry, size) and the eBPF dataplane's apply() (resolve selectors,
// compile, load, attach: tcx link create or atomic update), and stops when apply() returns. The
// dataplane is already running with an earlier revision attached, as on a live node, so each
// timing is a real replacement; every bundle has a different rule set (variant), so nothing is reused.
//
// apply() reports no phases, so the phase split is measured beside it: the same functions
// (resolveEndpointPolicies, compileDirection, loadCompiledProgram) run alone on the same payload
// right after each timed apply; "attach and the rest" is apply's time minus those three.
//
// Adding an endpoint: with the 10,000-rule (and the 1,000-rule) bundle applied, the inventory gains
// one local pod (server-2) with the server's labels, so it needs the program already loaded; the
// time is that apply's.

import { compileDirection } from '../agent/datapath/codegen/program.ts';
import type { EbpfDataplane } from '../agent/datapath/ebpf-dataplane.ts';
import { loadCompiledProgram } from '../agent/datapath/load.ts';
import { closeSharedMaps, createSharedMaps } from '../agent/datapath/shared-maps.ts';
import { resolveEndpointPolicies } from '../policy/evaluation/resolve.ts';
import type { Inventory } from '../policy/inventory.ts';
import type { PolicySet } from '../policy/ir.ts';
import type { BundleIssuer } from './bundles.ts';
import { type BenchLab, IPERF_PORT } from './lab.ts';
import { progress } from './progress.ts';
import { BENCH_NAMESPACE, benchPolicySet } from './rules.ts';
import { type Sample, sample } from './stats.ts';

export interface AttachOptions {
  ruleCounts: readonly number[];
  rounds: number;
  nextRevision(): number;
  appliedRevision(): number;
}

export interface AttachPhases {
  verifyMs: Sample;
  resolveMs: Sample;
  compileMs: Sample;
  loadMs: Sample;
  /** apply() minus resolve, compile and load: attaching, planning, bookkeeping. */
  attachAndRestMs: Sample;
}

export interface AttachRow {
  rules: number;
  bundleBytes: number;
  totalMs: Sample;
  phases: AttachPhases;
  /** Adding one local endpoint whose policy is already loaded, with this bundle applied. */
  addEndpointMs: Sample;
}

interface PhaseRuns {
  total: number[];
  verify: number[];
  resolve: number[];
  compile: number[];
  load: number[];
  rest: number[];
  add: number[];
  bytes: number;
}

/** The three pure-ish phases of apply, run alone on the same input (timings only). */
function phaseSplit(policy: PolicySet, inventory: Inventory, shared: ReturnType<typeof createSharedMaps>): { resolve: number; compile: number; load: number } {
  const t0 = performance.now();
  const resolved = resolveEndpointPolicies(policy, inventory, { endpoints: 'local' });
  const t1 = performance.now();
  const server = resolved.get(`${BENCH_NAMESPACE}/server`)!;
  const ingress = compileDirection('ingress', server.ingress);
  const egress = compileDirection('egress', server.egress);
  const t2 = performance.now();
  const loaded = [loadCompiledProgram(ingress, shared), loadCompiledProgram(egress, shared)];
  const t3 = performance.now();
  for (const l of loaded) l.close();
  return { resolve: t1 - t0, compile: t2 - t1, load: t3 - t2 };
}

async function applyOrThrow(dataplane: EbpfDataplane, input: Parameters<EbpfDataplane['apply']>[0]): Promise<void> {
  const report = await dataplane.apply(input);
  if (!report.applied || report.errors.length > 0) throw new Error(`apply failed: ${JSON.stringify(report.errors).slice(0, 500)}`);
}

export async function measureAttach(lab: BenchLab, dataplane: EbpfDataplane, issuer: BundleIssuer, options: AttachOptions): Promise<AttachRow[]> {
  const inventory = lab.inventory();
  const withSpare = lab.inventory({ withSpare: true });
  const shared = createSharedMaps({ conntrack: 4096, conntrack6: 4096, fragments: 256, flowRing: 64 * 1024 });
  const runs = new Map<number, PhaseRuns>(
    options.ruleCounts.map((n) => [n, { total: [], verify: [], resolve: [], compile: [], load: [], rest: [], add: [], bytes: 0 }]),
  );
  let variant = 1;
  try {
    // a live node: maps open, an earlier revision attached
    await applyOrThrow(dataplane, {
      bundle: issuer.payload(options.nextRevision(), benchPolicySet({ count: 10, clientIp: lab.client.ip, clientPort: IPERF_PORT })),
      inventory,
    });
    for (let round = 0; round < options.rounds; round++) {
      for (const rules of options.ruleCounts) {
        const policy = benchPolicySet({ count: rules, clientIp: lab.client.ip, clientPort: IPERF_PORT, variant: variant++ });
        const jws = await issuer.sign(options.nextRevision(), policy);
        const r = runs.get(rules)!;
        r.bytes = Buffer.byteLength(jws);

        const t0 = performance.now();
        const payload = await issuer.verify(jws, options.appliedRevision());
        const t1 = performance.now();
        await applyOrThrow(dataplane, { bundle: payload, inventory });
        const t2 = performance.now();

        const split = phaseSplit(payload.policy, inventory, shared);
        r.total.push(t2 - t0);
        r.verify.push(t1 - t0);
        r.resolve.push(split.resolve);
        r.compile.push(split.compile);
        r.load.push(split.load);
        r.rest.push(Math.max(0, t2 - t1 - split.resolve - split.compile - split.load));

        const t3 = performance.now();
        await applyOrThrow(dataplane, { bundle: payload, inventory: withSpare });
        r.add.push(performance.now() - t3);
        if (!dataplane.attached().some((a) => a.ifname === lab.spare.hostIfName)) throw new Error('the added endpoint has no program attached');
        await applyOrThrow(dataplane, { bundle: payload, inventory }); // back to one endpoint for the next round
        progress(
          `attach round ${round + 1}/${options.rounds}, ${rules} rules: ${(t2 - t0).toFixed(0)} ms ` +
            `(verify ${(t1 - t0).toFixed(0)}, resolve ${split.resolve.toFixed(0)}, compile ${split.compile.toFixed(0)}, load ${split.load.toFixed(0)}); add endpoint ${r.add.at(-1)!.toFixed(0)} ms`,
        );
      }
    }
  } finally {
    closeSharedMaps(shared);
  }
  return options.ruleCounts.map((rules) => {
    const r = runs.get(rules)!;
    return {
      rules,
      bundleBytes: r.bytes,
      totalMs: sample(r.total),
      phases: {
        verifyMs: sample(r.verify),
        resolveMs: sample(r.resolve),
        compileMs: sample(r.compile),
        loadMs: sample(r.load),
        attachAndRestMs: sample(r.rest),
      },
      addEndpointMs: sample(r.add),
    };
  });
}
