// Words for an impact preview's rows (api/schemas/impact.ts): which verdict a flow group had and would
// have, and the rule that would decide it. Pure, so the wording is unit-tested.
import type { Impact } from '../client/types.ts';

type Change = Impact['changes'][number];

/** The verdict before and after the change, in the words the flows page uses. */
export function verdictChange(change: Change['change']): { before: 'allowed' | 'denied'; after: 'allowed' | 'denied' } {
  return change === 'allowToDeny' ? { before: 'allowed', after: 'denied' } : { before: 'denied', after: 'allowed' };
}

/** "tier / policy / rule N (Action)", or that no policy would decide (the flow is allowed by default). */
export function decidingRule(rule: Change['decidedBy']): string {
  if (!rule) return 'no policy (allowed by default)';
  const which = rule.ruleIndex === 'default' ? 'tier default' : `rule ${rule.ruleIndex}`;
  return `${rule.tier} / ${rule.policy} / ${which} (${rule.action})`;
}

/** One line for the whole preview: how many observed flows flip each way. */
export function impactSummary(impact: Impact): string {
  const { denyToAllow, allowToDeny } = impact.totals;
  if (impact.changes.length === 0 && impact.changesOmitted === undefined)
    return `No observed flow would change verdict (${plural(impact.flowsEvaluated, 'distinct flow')} evaluated).`;
  return `${denyToAllow} would be allowed, ${allowToDeny} would be denied, in ${plural(impact.changes.length + (impact.changesOmitted ?? 0), 'flow group')} (${plural(impact.flowsEvaluated, 'distinct flow')} evaluated).`;
}

/**
 * What a sampled preview covered: the rows of the window read that the busiest flows evaluated
 * account for, and that window when the read (newest first) stopped short of the one asked.
 */
export function samplingNote(sampled: NonNullable<Impact['sampled']>, asked: string, time: (iso: string) => string): string {
  const rows = `${sampled.rows} of ${plural(sampled.of, 'flow log row')}`;
  if (sampled.since === asked) return `Only the busiest flows could be evaluated in time: ${rows}.`;
  const evaluated = sampled.rows === sampled.of ? `all ${plural(sampled.of, 'flow log row')} evaluated` : `the busiest evaluated, ${rows}`;
  return `Only flows since ${time(sampled.since)} could be read in time, not all since ${time(asked)}: ${evaluated}.`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
