// Flows: a live tail of the cluster's flow logs over server-sent events, with filters, pause and
// resume; each row names the tier, policy and rule that decided it, and what staged policies would do.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { LazyTimeChart } from '../charts/lazy-chart.tsx';
import { query } from '../client/client.ts';
import type { Flow } from '../client/types.ts';
import { Empty } from '../components/async-state.tsx';
import { described, Field } from '../components/field.tsx';
import { TableHead } from '../components/table-head.tsx';
import { describeRule, type FlowFilters, filterProblems, matchesLocally, NO_FILTERS, PROTOCOL_NUMBERS, serverQuery } from '../flows/filter.ts';
import { openLiveTail, type TailState } from '../flows/live-tail.ts';
import { flowRateSeries, VERDICTS } from '../flows/rate.ts';
import { bytes, formatTime, protocolName } from '../format.ts';

/** The chart's step: flow logs cover a few seconds each, so finer steps would mostly show gaps. */
const RATE_STEP_SECONDS = 10;

/** Rows kept on screen: the newest, so a long session does not grow the page without bound. */
const MAX_ROWS = 500;

function merge(rows: Flow[], arriving: Flow[]): Flow[] {
  const seen = new Set(rows.map((row) => row.id));
  const fresh = arriving.filter((flow) => !seen.has(flow.id));
  return [...fresh.reverse(), ...rows].slice(0, MAX_ROWS);
}

function FilterForm(props: { filters: FlowFilters; onChange: (filters: FlowFilters, commit: boolean) => void }) {
  const { filters } = props;
  const problems = filterProblems(filters);
  const value = (event: Event) => (event.currentTarget as HTMLInputElement).value;
  // A text box keeps what is typed on every input (a re-render while flows stream in must not wipe it)
  // and commits on change (Enter or leaving the box), not per keystroke: each commit reconnects.
  const text = (name: keyof FlowFilters) => ({
    value: filters[name],
    onInput: (event: Event) => props.onChange({ ...filters, [name]: value(event) }, false),
    onChange: (event: Event) => props.onChange({ ...filters, [name]: value(event) }, true),
  });
  const set = (name: keyof FlowFilters) => (event: Event) => props.onChange({ ...filters, [name]: value(event) }, true);
  return (
    <form class="filters" aria-label="Flow filters" onSubmit={(event) => event.preventDefault()}>
      <Field id="filter-namespace" label="Namespace" error={problems.namespace}>
        <input {...described('filter-namespace', problems.namespace)} {...text('namespace')} />
      </Field>
      <Field id="filter-pod" label="Pod" error={problems.pod}>
        <input {...described('filter-pod', problems.pod)} {...text('pod')} />
      </Field>
      <Field id="filter-verdict" label="Verdict">
        <select id="filter-verdict" value={filters.verdict} onChange={set('verdict')}>
          <option value="">any</option>
          <option value="allowed">allowed</option>
          <option value="denied">denied</option>
          <option value="logged">logged</option>
        </select>
      </Field>
      <Field id="filter-pending" label="Staged verdict">
        <select id="filter-pending" value={filters.pendingVerdict} onChange={set('pendingVerdict')}>
          <option value="">any</option>
          <option value="allow">would allow</option>
          <option value="deny">would deny</option>
        </select>
      </Field>
      <Field id="filter-policy" label="Deciding policy" error={problems.policy}>
        <input {...described('filter-policy', problems.policy)} placeholder="NetworkPolicy/shop/allow-web" {...text('policy')} />
      </Field>
      <Field id="filter-port" label="Port" error={problems.port}>
        <input {...described('filter-port', problems.port)} inputMode="numeric" {...text('port')} />
      </Field>
      <Field id="filter-protocol" label="Protocol">
        <select id="filter-protocol" value={filters.protocol} onChange={set('protocol')}>
          <option value="">any</option>
          {Object.keys(PROTOCOL_NUMBERS).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </Field>
      <Field id="filter-since" label="Since">
        <select id="filter-since" value={filters.sinceMinutes} onChange={set('sinceMinutes')}>
          <option value="5">last 5 minutes</option>
          <option value="15">last 15 minutes</option>
          <option value="60">last hour</option>
          <option value="1440">last day</option>
          <option value="">all kept</option>
        </select>
      </Field>
      <button type="button" class="clear-filters" onClick={() => props.onChange(NO_FILTERS, true)}>
        Clear filters
      </button>
    </form>
  );
}

function FlowRow(props: { flow: Flow }) {
  const { flow } = props;
  return (
    <tr class={`flow-${flow.kind}`}>
      <td>{formatTime(flow.endTime)}</td>
      <td>{flow.endpoint}</td>
      <td>{flow.direction === 'ingress' ? '← from' : '→ to'}</td>
      <td>{flow.remote}</td>
      <td>
        {protocolName(flow.protocol)}/{flow.port}
      </td>
      <td>
        <span class={`badge verdict-${flow.kind}`}>{flow.kind}</span>
      </td>
      <td>{describeRule(flow.rule)}</td>
      <td>{flow.pendingVerdict ? `would ${flow.pendingVerdict}: ${describeRule(flow.pendingRule)}` : '—'}</td>
      <td>
        {flow.count} · {bytes(flow.bytes)}
      </td>
    </tr>
  );
}

export function FlowsPage(props: { clusterId: string }) {
  /** What the form shows; `filters`, what the tail asks for: the last entry the server would accept. */
  const [draft, setDraft] = useState<FlowFilters>(NO_FILTERS);
  const [filters, setFilters] = useState<FlowFilters>(NO_FILTERS);
  const [rows, setRows] = useState<Flow[]>([]);
  const [paused, setPaused] = useState(false);
  const [held, setHeld] = useState<Flow[]>([]);
  const [tail, setTail] = useState<TailState>('connecting');
  const [received, setReceived] = useState(0);
  const rates = useMemo(() => flowRateSeries(rows, RATE_STEP_SECONDS), [rows]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    setRows([]);
    setHeld([]);
    // The stream replays the flows since the chosen time, then follows: one connection, no gap
    // between a first page and the live part.
    const url = `/v1/clusters/${props.clusterId}/flows/stream${query(serverQuery(filters))}`;
    const live = openLiveTail(url, {
      onState: setTail,
      onFlows: (flows) => {
        const wanted = flows.filter((flow) => matchesLocally(flow, filters));
        setReceived((count) => count + flows.length);
        if (pausedRef.current) setHeld((current) => [...current, ...wanted].slice(-MAX_ROWS));
        else setRows((current) => merge(current, wanted));
      },
    });
    return () => live.close();
  }, [props.clusterId, filters]);

  const resume = () => {
    setRows((current) => merge(current, held));
    setHeld([]);
    setPaused(false);
  };

  return (
    <>
      <h1>Flows</h1>
      <FilterForm
        filters={draft}
        onChange={(next, commit) => {
          setDraft(next);
          if (commit && Object.keys(filterProblems(next)).length === 0) setFilters(next);
        }}
      />
      <div class="tail-controls">
        <span class={`badge tail-${tail}`} role="status" data-received={received}>
          {tail === 'live' ? (paused ? 'paused' : 'live') : tail}
        </span>
        {paused ? (
          <button type="button" onClick={resume}>
            Resume{held.length > 0 ? ` (${held.length} new)` : ''}
          </button>
        ) : (
          <button type="button" onClick={() => setPaused(true)}>
            Pause
          </button>
        )}
      </div>
      {tail === 'reconnecting' && (
        <p class="notice error" role="alert">
          The live tail lost its connection to the control plane; the browser keeps retrying and resumes where it stopped.
        </p>
      )}
      {tail === 'closed' && (
        <p class="notice error" role="alert">
          The control plane refused the live tail. Reload the page to try again.
        </p>
      )}
      {rows.length === 0 ? (
        <Empty>
          <p>No flows match yet. They appear here as the cluster's agents report them, without a reload.</p>
        </Empty>
      ) : (
        <>
          <LazyTimeChart
            caption={`Flows per second by verdict, in ${RATE_STEP_SECONDS} s steps of their end time (the flows listed below)`}
            labels={[...VERDICTS]}
            data={rates}
            format={(value) => `${Number(value.toFixed(2))}/s`}
            colours={['#1a7f37', '#c0392b', '#9a6700']}
          />
          <div class="scroll">
            <table class="flows" data-rows={rows.length}>
              <caption class="visually-hidden">Flows, newest first</caption>
              <TableHead
                columns={['Time', 'Endpoint', 'Direction', 'Remote', 'Port', 'Verdict', 'Decided by (tier / policy / rule)', 'Staged', 'Packets · bytes']}
              />
              <tbody>
                {rows.map((flow) => (
                  <FlowRow key={flow.id} flow={flow} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
