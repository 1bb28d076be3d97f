// Reachability cases for the policy kinds beyond Kubernetes NetworkPolicy (test/cases/*.json, in the
// format of ../shared/netpol-cases/FORMAT.md): AdminNetworkPolicy, BaselineAdminNetworkPolicy,
// ClusterNetworkPolicy, Calico tiers, (Global)NetworkPolicy, (Global)NetworkSet and the staged kinds.
// Each case runs through the lab runner (real control plane, real agent process, real packets between
// pods in network namespaces) and must show zero mismatching probes. One suite per case file; one
// control plane shared by all of them (each case has its own tenant, cluster, topology and agent).
//
// PALISADE_LAB_DATAPLANE=dry-run runs the plumbing without enforcement (deny cases then mismatch);
// PALISADE_LAB_AGENT_LOGS=<dir> keeps the agent's log of every case that does not pass.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCaseReport } from '../../../lab/run/report.ts';
import { type DataplaneChoice, passed } from '../../../lab/run/run-case.ts';
import { type LabSession, startLabSession } from '../../../lab/run/session.ts';
import { describeIf, NEEDS_ROOT } from '../../support/needs.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const casesDir = resolve(REPO_ROOT, 'test', 'cases');
const files = existsSync(casesDir)
  ? readdirSync(casesDir)
      .filter((n) => n.endsWith('.json'))
      .sort()
  : [];

const isRoot = process.getuid?.() === 0;
const dataplane = (process.env.PALISADE_LAB_DATAPLANE ?? 'ebpf') as DataplaneChoice;
const agentLogDir = process.env.PALISADE_LAB_AGENT_LOGS;

// Setup (~4 s, mostly the agent's start) + per step: converge (< 1 s) and probes (one 1 s timeout
// per round with denials, plus one retry round of mismatches). The limit only catches a hang.
const CASE_TIMEOUT_MS = 180_000;

if (files.length === 0) {
  describe('policy kind cases', () => {
    it('finds the case folder', () => {
      throw new Error(`no *.json case in ${casesDir}`);
    });
  });
}

describeIf(isRoot && files.length > 0, NEEDS_ROOT)('policy kind cases', () => {
  let session: LabSession | undefined;
  beforeAll(async () => {
    if (dataplane !== 'ebpf' && dataplane !== 'dry-run') throw new Error(`PALISADE_LAB_DATAPLANE must be ebpf or dry-run, not ${dataplane}`);
    session = await startLabSession({ dataplane, explain: true, ...(agentLogDir ? { agentLogDir } : {}) });
  }, 120_000);
  afterAll(async () => session?.close(), 60_000);

  for (const file of files) {
    describe(file, () => {
      it('matches every expected probe', { timeout: CASE_TIMEOUT_MS }, async () => {
        const result = await session!.runCase(join(casesDir, file));
        const ok = passed(result);
        console.log(`[lab] ${ok ? 'PASS' : 'FAIL'} ${file}: ${(result.ms.total / 1000).toFixed(1)} s (setup ${(result.ms.setup / 1000).toFixed(1)} s)`);
        if (!ok) expect.fail(`\n${formatCaseReport(result, { matrices: 'on-mismatch' })}`);
        expect(result.steps.length).toBeGreaterThan(0);
        // passed() also requires the explanation to agree with every observed probe; check every one
        // was explained, but for probes to a ClusterIP, which explain cannot state (skipped with a reason).
        for (const s of result.steps) {
          expect(
            s.explainSkipped.filter((k) => k.probe.address === undefined),
            `step ${s.step}`,
          ).toEqual([]);
          expect(s.explained + s.explainSkipped.length, `step ${s.step}`).toBe(s.outcomes.filter((o) => o.error === undefined).length);
        }
      });
    });
  }
});
