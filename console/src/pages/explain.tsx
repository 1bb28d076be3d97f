// Explain: why a client pod may or may not reach a server pod on a port, tier by tier, with the rule
// that decided each direction, computed by the API against the inventory the agents reported.
// Source and destination are chosen from that same inventory (GET /v1/clusters/{id}/inventory), so only
// pods the explanation can resolve are offered.
import { useState } from 'preact/hooks';
import { ApiFailure, api, query } from '../client/client.ts';
import type { ClusterInventory, Explanation, TraceEntry } from '../client/types.ts';
import { ErrorNotice, Loading, useLoad } from '../components/async-state.tsx';
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
  const inventory = useLoad(async () => {
    try {
      return await api<ClusterInventory>(`/v1/clusters/${props.clusterId}/inventory`);
    } catch (failure) {
      // No agent has reported yet: a state of the cluster, not an error.
      if (failure instanceof ApiFailure && failure.status === 409) return undefined;
      throw failure;
    }
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
  if (inventory.state === 'loading') return <Loading what="the cluster's inventory" />;
  if (inventory.state === 'error') return <ErrorNotice error={inventory.error} retry={inventory.reload} />;
  if (!inventory.data) {
    return (
      <>
        <h1>Explain</h1>
        <p class="state empty">
          No agent of this cluster has reported its pods yet. Once an agent is connected and has applied a bundle, its inventory appears here.
        </p>
      </>
    );
  }
  const pods = inventory.data.endpoints.map((endpoint) => `${endpoint.namespace}/${endpoint.name}`).sort();
  const podOptions = [
    <option key="" value="" disabled>
      Choose a pod
    </option>,
    ...pods.map((pod) => (
      <option key={pod} value={pod}>
        {pod}
      </option>
    )),
  ];
  return (
    <>
      <h1>Explain</h1>
      <p class="meta">
        {pods.length} pods in {inventory.data.namespaces.length} namespaces, reported by {inventory.data.reportedBy}
      </p>
      <form class="card inline-form" onSubmit={submit} aria-label="Explain a connection">
        <Field id="explain-from" label="Source pod (namespace/pod)" error={fromError}>
          <select {...described('explain-from', fromError)} required value={from} onChange={(e) => setFrom(e.currentTarget.value)}>
            {podOptions}
          </select>
        </Field>
        <Field id="explain-to" label="Destination pod (namespace/pod)" error={toError}>
          <select {...described('explain-to', toError)} required value={to} onChange={(e) => setTo(e.currentTarget.value)}>
            {podOptions}
          </select>
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
