// Runs a step's expected probes and compares. A mismatch is probed again (`retries` times) before
// it counts, as the upstream e2e suite does: a probe that passes on a retry was a transient
// (scheduling on a loaded 2-core machine, a program swap in progress), while one that keeps
// failing is a verdict. Retries cost nothing when everything matches.
import type { ExpandedProbe } from '../case/expand.ts';
import type { ProbeOutcome, Prober } from './prober.ts';

export interface CheckResult {
  outcomes: ProbeOutcome<ExpandedProbe>[];
  mismatches: ProbeOutcome<ExpandedProbe>[];
  ms: number;
}

const wrong = (o: ProbeOutcome<ExpandedProbe>) => o.error !== undefined || o.connected !== o.probe.expected;

export async function checkProbes(
  prober: Prober,
  probes: readonly ExpandedProbe[],
  opts: { retries?: number; concurrency?: number; family?: 4 | 6 } = {},
): Promise<CheckResult> {
  const start = performance.now();
  const specs = probes.map((p) => (opts.family ? { ...p, family: opts.family } : p));
  const outcomes = await prober.probeAll(specs, opts);
  for (let r = 0; r < (opts.retries ?? 1); r++) {
    const idx = outcomes.flatMap((o, i) => (wrong(o) && o.error === undefined ? [i] : []));
    if (idx.length === 0) break;
    const again = await prober.probeAll(
      idx.map((i) => specs[i]!),
      opts,
    );
    for (const [j, i] of idx.entries()) outcomes[i] = again[j]!;
  }
  return { outcomes, mismatches: outcomes.filter(wrong), ms: performance.now() - start };
}

export interface ProbeGrid {
  /** `PROTOCOL/port` */
  key: string;
  /** Every pod that appears as client or server, in first-seen order: the rows and the columns. */
  pods: string[];
  /** Column width that fits every pod name. */
  width: number;
  /** The outcome of `from>to`. */
  cell: Map<string, ProbeOutcome<ExpandedProbe>>;
  outcomes: ProbeOutcome<ExpandedProbe>[];
}

/** Outcomes grouped per port/protocol into from x to grids: the shape every printed matrix shares. */
export function probeGrids(outcomes: readonly ProbeOutcome<ExpandedProbe>[]): ProbeGrid[] {
  const groups = new Map<string, ProbeOutcome<ExpandedProbe>[]>();
  for (const o of outcomes) {
    const key = `${o.probe.protocol}/${o.probe.port}`;
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  return [...groups].map(([key, os]) => {
    const pods = [...new Set(os.flatMap((o) => [o.probe.from, o.probe.to]))];
    return { key, pods, width: Math.max(...pods.map((p) => p.length), 3), cell: new Map(os.map((o) => [`${o.probe.from}>${o.probe.to}`, o])), outcomes: os };
  });
}

/**
 * Upstream-style truth table per port/protocol: rows are clients, columns servers.
 * '.' as expected, 'X' connected though it should not, '-' blocked though it should connect,
 * 'E' could not probe.
 */
export function formatTruthTable(outcomes: readonly ProbeOutcome<ExpandedProbe>[]): string {
  const blocks: string[] = [];
  for (const { key: k, pods, width: w, cell } of probeGrids(outcomes)) {
    const lines = [`${k}  (. ok, X connected but expected blocked, - blocked but expected connected, E error)`];
    lines.push(' '.repeat(w + 1) + pods.map((p) => p.padEnd(w)).join(' '));
    for (const from of pods) {
      const row = pods.map((to) => {
        const o = cell.get(`${from}>${to}`);
        const c = !o ? ' ' : o.error ? 'E' : o.connected === o.probe.expected ? '.' : o.connected ? 'X' : '-';
        return c.padEnd(w);
      });
      lines.push(`${from.padEnd(w)} ${row.join(' ')}`);
    }
    blocks.push(lines.join('\n'));
  }
  return blocks.join('\n\n');
}
