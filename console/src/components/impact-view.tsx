// The impact part of a Preview: observed flows whose verdict the change would flip, in the groups the
// API makes (source, destination, protocol, port), with counts and the rule that would decide.
import type { Impact } from '../client/types.ts';
import { formatTime, protocolName } from '../format.ts';

const CHANGE_TEXT = { allowToDeny: 'allowed → denied', denyToAllow: 'denied → allowed' } as const;

function decidedBy(rule: Impact['changes'][number]['decidedBy']): string {
  if (!rule) return 'no policy (allowed by default)';
  const which = rule.ruleIndex === 'default' ? 'tier default' : `rule ${rule.ruleIndex}`;
  return `${rule.tier} / ${rule.policy} / ${which} (${rule.action})`;
}

export function ImpactView(props: { impact: Impact }) {
  const { impact } = props;
  return (
    <section class="card" aria-labelledby="impact-title">
      <h3 id="impact-title">Impact on flows observed since {formatTime(impact.since)}</h3>
      <p>
        {impact.totals.denyToAllow} would be allowed, {impact.totals.allowToDeny} would be denied ({impact.flowsEvaluated} distinct flows evaluated
        {impact.unresolved > 0 ? `, ${impact.unresolved} with no address to resolve` : ''}).
      </p>
      {impact.sampled && (
        <p class="meta">
          Only the busiest flows were evaluated in time: {impact.sampled.rows} of {impact.sampled.of} flow log rows.
        </p>
      )}
      {impact.changes.length === 0 ? (
        <p>No observed flow would change verdict.</p>
      ) : (
        <table class="impact">
          <caption>Flows whose verdict would change</caption>
          <thead>
            <tr>
              <th scope="col">Change</th>
              <th scope="col">Source</th>
              <th scope="col">Destination</th>
              <th scope="col">Port</th>
              <th scope="col">Count</th>
              <th scope="col">Decided by</th>
            </tr>
          </thead>
          <tbody>
            {impact.changes.map((change) => (
              <tr key={`${change.change}/${change.direction}/${change.source}/${change.destination}/${change.protocol}/${change.port}`}>
                <td>
                  <span class={`badge verdict-${change.change === 'denyToAllow' ? 'allow' : 'deny'}`}>{CHANGE_TEXT[change.change]}</span>
                </td>
                <td>{change.source}</td>
                <td>{change.destination}</td>
                <td>
                  {protocolName(change.protocol)}/{change.port}
                </td>
                <td>
                  {change.count} ({change.flows} {change.flows === 1 ? 'flow' : 'flows'})
                </td>
                <td>{decidedBy(change.decidedBy)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {impact.changesOmitted !== undefined && <p class="meta">{impact.changesOmitted} smaller groups not shown.</p>}
    </section>
  );
}
