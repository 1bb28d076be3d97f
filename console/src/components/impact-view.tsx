// The impact part of a Preview: observed flows whose verdict the change would flip, in the groups the
// API makes (source, destination, protocol, port), with counts and the rule that would decide.
import type { Impact } from '../client/types.ts';
import { formatTime, protocolName } from '../format.ts';
import { decidingRule, impactSummary, samplingNote, verdictChange } from '../policies/impact.ts';
import { TableHead } from './table-head.tsx';

export function ImpactView(props: { impact: Impact }) {
  const { impact } = props;
  return (
    <section class="card impact" aria-labelledby="impact-title">
      <h3 id="impact-title">Impact on flows observed since {formatTime(impact.since)}</h3>
      <p>
        {impactSummary(impact)}
        {impact.unresolved > 0 && ` ${impact.unresolved} more had no address to resolve.`}
      </p>
      {impact.sampled && <p class="meta">{samplingNote(impact.sampled, impact.since, formatTime)}</p>}
      {impact.changes.length > 0 && (
        <div class="scroll">
          <table class="impact-changes">
            <caption>Flows whose verdict would change</caption>
            <TableHead columns={['Source → destination', 'Port', 'Verdict (before → after)', 'Count', 'Deciding policy']} />
            <tbody>
              {impact.changes.map((change) => {
                const { before, after } = verdictChange(change.change);
                return (
                  <tr key={`${change.change}/${change.direction}/${change.source}/${change.destination}/${change.protocol}/${change.port}`}>
                    <td>
                      {change.source} → {change.destination}
                    </td>
                    <td>
                      {protocolName(change.protocol)}/{change.port}
                    </td>
                    <td>
                      <span class={`badge verdict-${before}`}>{before}</span> → <span class={`badge verdict-${after}`}>{after}</span>
                    </td>
                    <td>
                      {change.count} ({change.flows} {change.flows === 1 ? 'flow' : 'flows'})
                    </td>
                    <td>{decidingRule(change.decidedBy)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {impact.changesOmitted !== undefined && <p class="meta">{impact.changesOmitted} smaller groups not shown.</p>}
    </section>
  );
}
