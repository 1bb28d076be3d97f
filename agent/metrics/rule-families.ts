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

/** One rule's label sets, rendered once for as long as the rule stays loaded. */
interface RuleLabels {
  rule: string;
  policy: string;
}

function labelsOf(hit: RuleHits): RuleLabels {
  const common = `direction="${hit.direction}",tier="${escapeLabel(hit.tier)}",policy="${escapeLabel(hit.policyId)}"`;
  return { rule: `{${common},rule="${hit.ruleIndex}",action="${hit.action}"} `, policy: `${common},action="${hit.action}"` };
}

/**
 * Renders the two families for the enforced (not staged) rules' hits; empty families still say HELP
 * and TYPE. Label sets are kept by rule key from one scrape to the next (the rules loaded now, no
 * more): escaping and joining them again for 10,000 rules was a third of a scrape's time.
 */
export function createRuleFamilyRenderer(): (hits: readonly RuleHits[] | undefined) => string {
  let labelsByKey = new Map<string, RuleLabels>();
  return (hits) => {
    const seen = new Map<string, RuleLabels>();
    let rules = `# HELP ${RULE_PACKETS} ${RULE_HELP}\n# TYPE ${RULE_PACKETS} counter\n`;
    const byPolicy = new Map<string, number>();
    for (const hit of hits ?? []) {
      if (hit.staged) continue;
      const labels = labelsByKey.get(hit.key) ?? labelsOf(hit);
      seen.set(hit.key, labels);
      rules += `${RULE_PACKETS}${labels.rule}${hit.packets}\n`;
      byPolicy.set(labels.policy, (byPolicy.get(labels.policy) ?? 0) + hit.packets);
    }
    labelsByKey = seen;
    let policies = `# HELP ${POLICY_PACKETS} ${POLICY_HELP}\n# TYPE ${POLICY_PACKETS} counter\n`;
    for (const [labels, packets] of byPolicy) policies += `${POLICY_PACKETS}{${labels}} ${packets}\n`;
    return rules + policies;
  };
}
