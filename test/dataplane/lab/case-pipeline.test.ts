// A shared case through the lab without any policy engine: expansion, addresses substituted into
// the policy objects, and the probes. With nothing enforcing, exactly the `except` pairs of a
// default-true entry must mismatch, as connected-but-expected-blocked.
import { afterAll, expect, it } from 'vitest';
import { expandCase, substituteAddresses } from '../../../lab/case/expand.ts';
import { loadCase } from '../../../lab/case/load.ts';
import { unwrap } from '../../../lab/errors.ts';
import { type Lab, startLab } from '../../../lab/lab.ts';
import { checkProbes, formatTruthTable } from '../../../lab/probe/check.ts';
import { describeIf, NEEDS_ROOT } from '../../support/needs.ts';

const isRoot = process.getuid?.() === 0;
let lab: Lab | undefined;
afterAll(async () => lab?.destroy());

describeIf(isRoot, NEEDS_ROOT)('case pipeline (no policy)', () => {
  it('13-egress-ipblock-single-pod: addresses substituted, only the except pairs mismatch', { timeout: 60_000 }, async () => {
    const c = unwrap(expandCase(unwrap(await loadCase('/work/shared/netpol-cases/13-egress-ipblock-single-pod.json'))));
    lab = unwrap(await startLab(c.topology));
    const { topology, prober } = lab;

    const step = c.steps[0]!;
    const applied = unwrap(substituteAddresses(step.apply, (k) => topology.pods.get(k)?.ip));
    const egress = (applied[0] as unknown as { spec: { egress: { to: { ipBlock: { cidr: string } }[] }[] } }).spec.egress;
    expect(egress[0]!.to[0]!.ipBlock.cidr).toBe(`${topology.pods.get('y/b')!.ip}/32`);

    const t0 = performance.now();
    const r = await checkProbes(prober, step.probes, { retries: 0 });
    console.log(`[lab] case 13 step 1, ${step.probes.length} probes: ${(performance.now() - t0).toFixed(0)} ms`);
    console.log(formatTruthTable(r.outcomes));
    const expectedBlocked = step.probes.filter((p) => !p.expected);
    expect(expectedBlocked).toHaveLength(7); // x/a -> x/b, x/c, y/a, y/c, z/a, z/b, z/c
    expect(r.mismatches.map((m) => `${m.probe.from}>${m.probe.to}`)).toEqual(expectedBlocked.map((p) => `${p.from}>${p.to}`));
    expect(r.mismatches.every((m) => m.connected && m.error === undefined)).toBe(true);
  });
});
