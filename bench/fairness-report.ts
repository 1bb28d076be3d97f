// The fairness figure's summary (issue 13 item 6), pure: Jain's index of the pods' goodputs in each
// run, medians over rounds per pod count, and the figure judged as its worst pod count.
import { round, type Sample, sample, withSpread } from './stats.ts';

/** One run: `pods` equal-demand pods under the ceiling at the same time. */
export interface FairnessRun {
  pods: number;
  /** Each pod's goodput. */
  mbps: number[];
  /** L2 Mbit/s the receiver got from all of them together, over a window where all run. */
  sumMbps: number;
  /** The pods the programs counted active on the ceiling at the window's end. */
  activeEndpoints: number;
}

/** Jain's fairness index: 1 when all are equal, 1/n when one gets everything. */
export function jainIndex(xs: readonly number[]): number {
  const sum = xs.reduce((a, b) => a + b, 0);
  const squares = xs.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 1 : (sum * sum) / (xs.length * squares);
}

export interface FairnessSummary {
  ceilingMbps: number;
  byPods: { pods: number; jain: Sample; sumMbps: Sample; minOverMax: Sample }[];
  /** The worst pod count's median Jain index, and the median sum furthest from the ceiling. */
  jain: number;
  sumMbps: number;
}

export function summarizeFairness(runs: readonly FairnessRun[], ceilingMbps: number): FairnessSummary {
  const counts = [...new Set(runs.map((r) => r.pods))];
  const byPods = counts.map((pods) => {
    const of = runs.filter((r) => r.pods === pods);
    return {
      pods,
      jain: sample(of.map((r) => jainIndex(r.mbps))),
      sumMbps: sample(of.map((r) => r.sumMbps)),
      minOverMax: sample(of.map((r) => Math.min(...r.mbps) / Math.max(...r.mbps))),
    };
  });
  const furthest = byPods.map((p) => p.sumMbps.median).sort((a, b) => Math.abs(b - ceilingMbps) - Math.abs(a - ceilingMbps))[0]!;
  return { ceilingMbps, byPods, jain: Math.min(...byPods.map((p) => p.jain.median)), sumMbps: furthest };
}

const JAIN_TARGET = 0.95;
const SUM_RANGE = [0.9, 1.05] as const;

export function fairnessTargets(s: FairnessSummary): { name: string; target: string; value: number; pass: boolean }[] {
  const [low, high] = SUM_RANGE.map((f) => f * s.ceilingMbps);
  const pods = s.byPods.map((p) => p.pods).join(' and ');
  return [
    {
      name: `Jain's index of ${pods} equal-demand pods under a tenant ceiling`,
      target: `>= ${JAIN_TARGET}`,
      value: round(s.jain, 3),
      pass: s.jain >= JAIN_TARGET,
    },
    {
      name: `their sum under the ${s.ceilingMbps} Mbit/s ceiling (Mbit/s)`,
      target: `${low}..${high}`,
      value: round(s.sumMbps, 1),
      pass: s.sumMbps >= low! && s.sumMbps <= high!,
    },
  ];
}

export function fairnessJson(s: FairnessSummary, runs: readonly FairnessRun[]): Record<string, unknown> {
  return {
    jain: round(s.jain, 3),
    sumMbps: round(s.sumMbps, 1),
    ceilingMbps: s.ceilingMbps,
    byPods: s.byPods.map((p) => ({
      pods: p.pods,
      jain: round(p.jain.median, 3),
      sumMbps: round(p.sumMbps.median, 1),
      spread: { jain: withSpread(p.jain, 3), sumMbps: withSpread(p.sumMbps, 1), minOverMax: withSpread(p.minOverMax, 2) },
    })),
    runs: runs.map((r) => ({ pods: r.pods, mbps: r.mbps.map((m) => round(m, 1)), sumMbps: round(r.sumMbps, 1), activeEndpoints: r.activeEndpoints })),
  };
}

/** Table rows: each pod count's figures, then the judged targets. */
export function fairnessRows(s: FairnessSummary): string[][] {
  const [jain, sum] = fairnessTargets(s);
  const judged = (t: { target: string; pass: boolean }) => [t.target, t.pass ? 'pass' : '**FAIL**'];
  return [
    ...s.byPods.map((p) => [
      `${p.pods} equal-demand pods under a ${s.ceilingMbps} Mbit/s tenant ceiling: Jain's index, sum, slowest/fastest`,
      `${withSpread(p.jain, 3)}; ${withSpread(p.sumMbps, 1)} Mbit/s; ${withSpread(p.minOverMax, 2)}`,
      '',
      '',
    ]),
    [jain!.name, String(jain!.value), ...judged(jain!)],
    [sum!.name, String(sum!.value), ...judged(sum!)],
  ];
}
