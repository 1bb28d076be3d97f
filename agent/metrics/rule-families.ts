// The per-rule and per-policy hit counters in Prometheus's text format, written directly rather than
// through prom-client: at 10,000 rules they are 10,000 series a scrape, and prom-client's per-series
// label hashing and object building cost several times the kernel read behind them
// (bench/scrape-cost.ts). Same exposition as prom-client's: HELP, TYPE, one line per series.
import type { RuleHits } from '../datapath/dataplane.ts';

export const RULE_PACKETS = 'palisade_agent_rule_packets_total';
export const POLICY_PACKETS = 'palisade_agent_policy_packets_total';
/** The families this file renders (for checks that every metric a dashboard names exists). */
export const RULE_FAMILY_NAMES = [RULE_PACKETS, POLICY_PACKETS] as const;

const RULE_HELP = 'Packets each enforced rule (or tier default, rule="default") matched, by direction, tier, policy id, rule index and action.';
const POLICY_HELP = "Packets the rules of each enforced policy matched, by direction, tier, policy id and the matching rule's action.";

/** Label values as the text format wants them: backslash, double quote and newline escaped. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The two families for the enforced (not staged) rules' hits; empty families still say HELP and TYPE. */
export function renderRuleFamilies(hits: readonly RuleHits[] | undefined): string {
  const rules: string[] = [`# HELP ${RULE_PACKETS} ${RULE_HELP}`, `# TYPE ${RULE_PACKETS} counter`];
  const byPolicy = new Map<string, number>();
  for (const hit of hits ?? []) {
    if (hit.staged) continue;
    const common = `direction="${hit.direction}",tier="${escapeLabel(hit.tier)}",policy="${escapeLabel(hit.policyId)}"`;
    rules.push(`${RULE_PACKETS}{${common},rule="${hit.ruleIndex}",action="${hit.action}"} ${hit.packets}`);
    const policyLabels = `${common},action="${hit.action}"`;
    byPolicy.set(policyLabels, (byPolicy.get(policyLabels) ?? 0) + hit.packets);
  }
  const policies: string[] = [`# HELP ${POLICY_PACKETS} ${POLICY_HELP}`, `# TYPE ${POLICY_PACKETS} counter`];
  for (const [labels, packets] of byPolicy) policies.push(`${POLICY_PACKETS}{${labels}} ${packets}`);
  return `${rules.join('\n')}\n${policies.join('\n')}\n`;
}
