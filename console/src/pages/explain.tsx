// Explain: why a client pod may or may not reach a server pod on a port, tier by tier, with the rule
// that decided each direction, computed by the API against the inventory the agents reported.
// Pods to pick from are the endpoints seen in the cluster's recent flows; any namespace/pod may be typed.
import { useState } from 'preact/hooks';
import { api, query } from '../client/client.ts';
import type { Explanation, Flow, Page, TraceEntry } from '../client/types.ts';
import { ErrorNotice, useLoad } from '../components/async-state.tsx';
import { described, errorAt, Field } from '../components/field.tsx';

function Trace(props: { title: string; verdict: string; trace: TraceEntry[] }) {
  return (
    <section class="card" aria-label={props.title}>
      <h3>
        {props.title}: <span class={`badge verdict-${props.verdict}`}>{props.verdict}</span>
      </h3>
      {props.trace.length === 0 ? (
        <p>No policy selects this endpoint in this direction, so it is allowed.</p>
      ) : (
        <ol>
          {props.trace.map((entry) => (
            <li key={`${entry.tier}/${entry.policy}/${entry.ruleIndex}`}>
              tier <strong>{entry.tier}</strong> · policy <strong>{entry.policy}</strong> ·{' '}
              {entry.ruleIndex === 'default' ? 'tier default' : `rule ${entry.ruleIndex}`} → <strong>{entry.action}</strong>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function ExplainPage(props: { clusterId: string }) {
  const endpoints = useLoad(async () => {
    const page = await api<Page<Flow>>(`/v1/clusters/${props.clusterId}/flows${query({ limit: 200 })}`);
    return [...new Set(page.items.map((flow) => flow.endpoint))].sort();
  }, [props.clusterId]);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [port, setPort] = useState('80');
  const [protocol, setProtocol] = useState('TCP');
  const [result, setResult] = useState<Explanation>();
  const [error, setError] = useState<Error>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await api<Explanation>(`/v1/clusters/${props.clusterId}/explain${query({ from, to, port, protocol })}`));
    } catch (failure) {
      setError(failure as Error);
    }
  };
  const [fromError, toError, portError] = ['from', 'to', 'port'].map((field) => errorAt(error, field));
  return (
    <>
      <h1>Explain</h1>
      <form class="card inline-form" onSubmit={submit} aria-label="Explain a connection">
        <datalist id="known-endpoints">{endpoints.state === 'ready' && endpoints.data.map((endpoint) => <option key={endpoint} value={endpoint} />)}</datalist>
        <Field id="explain-from" label="Source pod (namespace/pod)" error={fromError}>
          <input {...described('explain-from', fromError)} list="known-endpoints" required value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </Field>
        <Field id="explain-to" label="Destination pod (namespace/pod)" error={toError}>
          <input {...described('explain-to', toError)} list="known-endpoints" required value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </Field>
        <Field id="explain-port" label="Port" error={portError}>
          <input {...described('explain-port', portError)} inputMode="numeric" required value={port} onInput={(e) => setPort(e.currentTarget.value)} />
        </Field>
        <Field id="explain-protocol" label="Protocol">
          <select id="explain-protocol" value={protocol} onChange={(e) => setProtocol(e.currentTarget.value)}>
            <option>TCP</option>
            <option>UDP</option>
            <option>SCTP</option>
          </select>
        </Field>
        <button type="submit" class="primary">
          Explain
        </button>
      </form>
      {error && !fromError && !toError && !portError && <ErrorNotice error={error} />}
      {result && (
        <section aria-labelledby="explain-result">
          <h2 id="explain-result">
            {result.from} → {result.to} {result.protocol}/{result.port}: <span class={`badge verdict-${result.verdict}`}>{result.verdict}</span>
          </h2>
          <p class="meta">
            Bundle revision {result.revision ?? 'none'} · inventory reported by {result.inventoryReportedBy}
          </p>
          <Trace title={`Egress of ${result.from}`} verdict={result.egress.verdict} trace={result.egress.trace} />
          <Trace title={`Ingress of ${result.to}`} verdict={result.ingress.verdict} trace={result.ingress.trace} />
        </section>
      )}
    </>
  );
}
