// What a case run prints: for people, a verdict line per case and per step, with the expected and
// observed reachability side by side per port/protocol and the upstream-style truth table of the
// difference; for machines (--json), one JSON object per case per line.
import type { ExpandedProbe } from '../case/expand.ts';
import { formatTruthTable, probeGrids } from '../probe/check.ts';
import type { ProbeOutcome } from '../probe/prober.ts';
import type { DirectionExplanation } from './api.ts';
import { type CaseResult, type ExplainDisagreement, passed } from './run-case.ts';

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Per port/protocol, three grids side by side (rows: from, columns: to): expected, observed
 * ('1' connects, '0' blocked, 'E' could not probe) and the difference (formatTruthTable's '.', 'X', '-').
 */
export function formatMatrices(outcomes: readonly ProbeOutcome<ExpandedProbe>[]): string {
  const blocks: string[] = [];
  for (const { key: k, pods, width: w, cell, outcomes: os } of probeGrids(outcomes)) {
    const grid = (show: (o: ProbeOutcome<ExpandedProbe>) => string) => [
      pods.map((p) => p.padEnd(w)).join(' '),
      ...pods.map((from) =>
        pods
          .map((to) => {
            const o = cell.get(`${from}>${to}`);
            return (o ? show(o) : ' ').padEnd(w);
          })
          .join(' '),
      ),
    ];
    const expected = grid((o) => (o.probe.expected ? '1' : '0'));
    const observed = grid((o) => (o.error ? 'E' : o.connected ? '1' : '0'));
    const diff = formatTruthTable(os)
      .split('\n')
      .slice(1)
      .map((line) => line.slice(w + 1)); // its own header line and row labels dropped
    const head = ['expected', 'observed', 'difference'].map((t) => t.padEnd(expected[0]!.length)).join(' | ');
    const lines = [
      `${k}  (1 connects, 0 blocked, E probe error; difference: . as expected, X connected but expected blocked, - blocked but expected connected)`,
    ];
    lines.push(`${''.padEnd(w)} ${head}`.trimEnd());
    for (let r = 0; r < expected.length; r++) {
      lines.push(`${(r === 0 ? '' : pods[r - 1]!).padEnd(w)} ${[expected[r]!, observed[r]!, diff[r] ?? ''].join(' | ')}`.trimEnd());
    }
    blocks.push(lines.join('\n'));
  }
  return blocks.join('\n\n');
}

const describeDirection = (d: DirectionExplanation): string =>
  `${d.verdict}${d.trace.length ? ` by ${d.trace.map((t) => `${t.tier}/${t.policy}#${t.ruleIndex} ${t.action}`).join(' > ')}` : ' (no policy selects it)'}`;

/** One line per disagreement: the probe, what was observed, what the explanation said and why. */
export function formatDisagreement(d: ExplainDisagreement): string {
  const p = d.probe;
  return (
    `${p.from} -> ${p.to} ${p.protocol}/${p.port}: observed ${d.observed ? 'connected' : 'blocked'}, explain says ${d.explanation.verdict} ` +
    `(revision ${d.explanation.revision ?? '-'}; egress ${describeDirection(d.explanation.egress)}; ingress ${describeDirection(d.explanation.ingress)})`
  );
}

export function formatCaseReport(result: CaseResult, opts: { matrices?: 'always' | 'on-mismatch' } = {}): string {
  const ok = passed(result);
  const mismatches = result.steps.reduce((n, s) => n + s.mismatches.length, 0);
  const disagreements = result.steps.reduce((n, s) => n + s.explainDisagreements.length, 0);
  const explained = result.steps.reduce((n, s) => n + s.explained, 0);
  const label = result.file ? `${result.file.split('/').pop()}: ${result.name}` : result.name;
  const m = result.ms;
  const out = [
    `${ok ? 'PASS' : 'FAIL'} ${label}`,
    `  ${result.probes} probes expected, ${mismatches} mismatches${explained ? `, ${explained} explained, ${disagreements} explain disagreements` : ''}; ${secs(m.total)} (setup ${secs(m.setup)}, steps ${secs(m.steps)}, teardown ${secs(m.teardown)})`,
  ];
  for (const s of result.steps) {
    out.push(
      `  step ${s.step}: revision ${s.revision ?? '-'}, ${s.outcomes.length} probes, ${s.mismatches.length} mismatches` +
        (s.explained ? `, ${s.explainDisagreements.length} explain disagreements` : '') +
        ` (change ${secs(s.ms.change)}, converge ${secs(s.ms.converge)}, probe ${secs(s.ms.probe)}${s.explained ? `, explain ${secs(s.ms.explain)}` : ''})`,
    );
    for (const d of s.explainDisagreements) out.push(`    explain disagrees: ${formatDisagreement(d)}`);
    for (const e of s.agentErrors) out.push(`    agent reports ${e.code}${e.endpoint ? ` on ${e.endpoint}` : ''}: ${e.message}`);
    for (const o of s.mismatches.filter((x) => x.error))
      out.push(`    ${o.probe.from} -> ${o.probe.to} ${o.probe.protocol}/${o.probe.port}: ${o.error!.message}`);
    if (opts.matrices === 'always' || s.mismatches.length > 0) {
      out.push(formatMatrices(s.outcomes).replace(/^(?=.)/gm, '    '));
    }
  }
  if (result.error) {
    out.push(`  ERROR ${result.error.code}: ${result.error.message}`);
    const log = result.error.details?.log;
    if (typeof log === 'string' && log) out.push('  agent log (last lines):', log.replace(/^(?=.)/gm, '    '));
  }
  return out.join('\n');
}

export interface JsonMismatch {
  step: number;
  from: string;
  to: string;
  port: number;
  protocol: string;
  expected: boolean;
  /** false also when the probe could not be run; `error` then says why. */
  observed: boolean;
  /** A probe to a Service: "ns/name" and its ClusterIP. */
  service?: string;
  address?: string;
  error?: string;
}

/** Where a probe went, as every list of the --json line names it (a Service probe with its ClusterIP). */
function probeFields(step: number, probe: ExpandedProbe) {
  return {
    step,
    from: probe.from,
    to: probe.to,
    port: probe.port,
    protocol: probe.protocol,
    ...(probe.service ? { service: probe.service, address: probe.address } : {}),
  };
}

/** One line of --json output; `explain`: the run cross-checked probes with explain (--explain). */
export function caseJson(result: CaseResult, options: { explain?: boolean } = {}): Record<string, unknown> {
  const mismatches: JsonMismatch[] = result.steps.flatMap((s) =>
    s.mismatches.map((o) => ({
      ...probeFields(s.step, o.probe),
      expected: o.probe.expected,
      observed: o.connected,
      ...(o.error ? { error: o.error.message } : {}),
    })),
  );
  const explainSkipped = result.steps.flatMap((s) =>
    s.explainSkipped.map((k) => ({
      ...probeFields(s.step, k.probe),
      reason: k.reason,
    })),
  );
  const explainDisagreements = result.steps.flatMap((s) =>
    s.explainDisagreements.map((d) => ({
      ...probeFields(s.step, d.probe),
      observed: d.observed,
      explained: d.explanation.verdict,
      revision: d.explanation.revision,
      egress: d.explanation.egress,
      ingress: d.explanation.ingress,
    })),
  );
  return {
    case: result.name,
    probes: result.probes,
    mismatches,
    // With --explain: how many probes were explained, how many explanations disagreed with what was
    // observed, and each disagreement with its trace.
    ...(options.explain || result.steps.some((s) => s.explained > 0)
      ? {
          explained: result.steps.reduce((n, s) => n + s.explained, 0),
          explainDisagreements: explainDisagreements.length,
          explainDisagreementDetails: explainDisagreements,
          // Probes that ran but that explain cannot state (a ClusterIP), each with the reason.
          ...(explainSkipped.length > 0 && { explainSkipped }),
        }
      : {}),
    ...(result.file ? { file: result.file } : {}),
    ...(result.error ? { error: { code: result.error.code, message: result.error.message } } : {}),
    ms: Math.round(result.ms.total),
  };
}
