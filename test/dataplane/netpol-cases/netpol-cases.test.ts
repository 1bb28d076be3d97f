// The acceptance test of the whole chain (../shared/DESIGN.md): every shared reachability case, run by
// the lab runner through the real control plane, the real agent process and real packets between
// pods in network namespaces, must show zero mismatching probes; and the control plane's explanation
// (GET /v1/clusters/{id}/explain: the same IR and evaluation order, on the inventory the agent
// reported) must agree with the dataplane's observed verdict on every probe of every step. One suite
// per case file; one control plane shared by all of them (each case has its own tenant, cluster,
// topology and agent).
//
// PALISADE_LAB_DATAPLANE=dry-run runs the plumbing without enforcement (deny cases then mismatch);
// PALISADE_LAB_AGENT_LOGS=<dir> keeps the agent's log of every case that does not pass.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCaseReport } from '../../../lab/run/report.ts';
import type { CaseResult, DataplaneChoice } from '../../../lab/run/run-case.ts';
import { type LabSession, startLabSession } from '../../../lab/run/session.ts';
import { describeIf, NEEDS_ROOT } from '../../support/needs.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CANDIDATES = [resolve(REPO_ROOT, '..', 'shared', 'netpol-cases'), '/work/shared/netpol-cases'];
const casesDir = CANDIDATES.find((dir) => existsSync(dir));
const files = casesDir
  ? readdirSync(casesDir)
      .filter((n) => n.endsWith('.json'))
      .sort()
  : [];

const isRoot = process.getuid?.() === 0;
const dataplane = (process.env.PALISADE_LAB_DATAPLANE ?? 'ebpf') as DataplaneChoice;
const agentLogDir = process.env.PALISADE_LAB_AGENT_LOGS;

// Setup (~4 s, mostly the agent's start) + per step: converge (< 1 s) and probes (one 1 s timeout
// per round with denials, plus one retry round of mismatches). The limits only catch a hang.
const CASE_TIMEOUT_MS = 180_000;

if (!casesDir || files.length === 0) {
  describe('netpol cases', () => {
    it('finds the shared case folder', () => {
      throw new Error(
        casesDir
          ? `no *.json case in ${casesDir}`
          : `the reachability cases are missing: looked for ${CANDIDATES.join(' and ')} (../shared/netpol-cases beside the repo)`,
      );
    });
  });
}

/**
 * Every case runs twice: with the evaluation strategy the compiler picks by size (straight-line for
 * these small policies), with the explanation checked against every probe; and with the map-driven
 * classifier forced on every program (the agent reads PALISADE_DATAPATH_STRATEGY), so both
 * strategies meet the same facts.
 */
const RUNS = [
  { name: 'strategy chosen by size', force: undefined, explain: true },
  { name: 'classifier forced', force: 'classifier', explain: false },
] as const;

for (const run of RUNS) {
  describeIf(isRoot && files.length > 0, NEEDS_ROOT)(`netpol cases (${run.name})`, () => {
    let session: LabSession | undefined;
    beforeAll(async () => {
      if (dataplane !== 'ebpf' && dataplane !== 'dry-run') throw new Error(`PALISADE_LAB_DATAPLANE must be ebpf or dry-run, not ${dataplane}`);
      if (run.force) process.env.PALISADE_DATAPATH_STRATEGY = run.force;
      else delete process.env.PALISADE_DATAPATH_STRATEGY;
      session = await startLabSession({ dataplane, explain: run.explain, ...(agentLogDir ? { agentLogDir } : {}) });
    }, 120_000);
    afterAll(async () => {
      delete process.env.PALISADE_DATAPATH_STRATEGY;
      await session?.close();
    }, 60_000);

    for (const file of files) {
      describe(file, () => {
        // One run per case; the second test reads its explanations.
        let result: CaseResult | undefined;
        it('matches every expected probe', { timeout: CASE_TIMEOUT_MS }, async () => {
          result = await session!.runCase(join(casesDir!, file));
          const ok = result.error === undefined && result.steps.every((s) => s.mismatches.length === 0);
          const explainMs = result.steps.reduce((n, s) => n + s.ms.explain, 0);
          console.log(
            `[lab ${run.name}] ${ok ? 'PASS' : 'FAIL'} ${file}: ${(result.ms.total / 1000).toFixed(1)} s (setup ${(result.ms.setup / 1000).toFixed(1)} s, explain ${(explainMs / 1000).toFixed(1)} s)`,
          );
          if (!ok) expect.fail(`\n${formatCaseReport(result, { matrices: 'on-mismatch' })}`);
          expect(result.steps.length).toBeGreaterThan(0);
          // A forced strategy really was the one enforcing (steps with policy report their programs).
          if (run.force) {
            expect(result.steps.some((s) => s.strategies.length > 0)).toBe(true);
            for (const s of result.steps) if (s.strategies.length > 0) expect(s.strategies, `step ${s.step}`).toEqual([run.force]);
          }
        });
        if (!run.explain) return;
        it("has the explanation agree with the dataplane's verdict on every probe", () => {
          if (!result) return expect.fail('the case did not run');
          if (result.error) return expect.fail(`the case did not run to its end: ${result.error.code}: ${result.error.message}`);
          // Every probe that ran was explained (probes that could not run fail the test above).
          for (const s of result.steps) expect(s.explained, `step ${s.step}`).toBe(s.outcomes.filter((o) => o.error === undefined).length);
          const disagreements = result.steps.flatMap((s) => s.explainDisagreements);
          if (disagreements.length > 0) expect.fail(`\n${formatCaseReport(result, { matrices: 'on-mismatch' })}`);
        });
      });
    }
  });
}
