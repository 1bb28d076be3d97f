// Clusters: the tenant's clusters with provider and status, and (for writers) registering a new one.
import { useState } from 'preact/hooks';
import { api } from '../client/client.ts';
import { listAll } from '../client/resources.ts';
import type { Cluster } from '../client/types.ts';
import { Empty, Show, useLoad } from '../components/async-state.tsx';
import { described, errorAt, Field, FormError } from '../components/field.tsx';
import { Link } from '../components/link.tsx';
import { TableHead } from '../components/table-head.tsx';
import { useSubmission } from '../components/use-submission.ts';
import { formatTime } from '../format.ts';
import { navigate } from '../router.ts';
import { useSession } from '../session.ts';

/** Every provider the API accepts, with its label (a Record, so tsc notices a provider added to the API). */
const PROVIDERS: Record<Cluster['provider'], string> = {
  eks: 'Amazon EKS',
  gke: 'Google GKE',
  aks: 'Azure AKS',
  kubeadm: 'kubeadm',
  k3s: 'k3s',
  kind: 'kind',
  other: 'Other',
};

function RegisterCluster() {
  const { canWrite } = useSession();
  const [name, setName] = useState('');
  const [provider, setProvider] = useState<string>('other');
  const { submit, busy, error } = useSubmission(async () => {
    const cluster = await api<Cluster>('/v1/clusters', { method: 'POST', body: { name, provider } });
    navigate(`/clusters/${cluster.id}`);
  });
  const nameError = errorAt(error, 'name');
  return (
    <form class="card inline-form" onSubmit={submit} aria-labelledby="register-title">
      <h2 id="register-title">Register a cluster</h2>
      <fieldset disabled={!canWrite || busy}>
        <Field id="cluster-name" label="Name" error={nameError} hint="A DNS label: lowercase letters, digits and -">
          <input {...described('cluster-name', nameError)} required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field id="cluster-provider" label="Provider">
          <select id="cluster-provider" value={provider} onChange={(e) => setProvider(e.currentTarget.value)}>
            {Object.entries(PROVIDERS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" class="primary">
          Register cluster
        </button>
      </fieldset>
      {!canWrite && <p class="hint">Your role (viewer) can look but not register clusters.</p>}
      <FormError error={error} fields={['name', 'provider']} />
    </form>
  );
}

export function ClustersPage() {
  const clusters = useLoad(() => listAll<Cluster>('/v1/clusters'), []);
  return (
    <>
      <h1>Clusters</h1>
      <Show loaded={clusters} what="clusters">
        {(items) =>
          items.length === 0 ? (
            <Empty>
              <p>No clusters yet. Register one below, then install the agent with the Helm command it shows.</p>
            </Empty>
          ) : (
            <table>
              <caption class="visually-hidden">Clusters</caption>
              <TableHead columns={['Name', 'Provider', 'Status', 'Registered']} />
              <tbody>
                {items.map((cluster) => (
                  <tr key={cluster.id}>
                    <td>
                      <Link href={`/clusters/${cluster.id}`}>{cluster.name}</Link>
                    </td>
                    <td>{PROVIDERS[cluster.provider]}</td>
                    <td>
                      <span class={`badge status-${cluster.status}`}>{cluster.status}</span>
                    </td>
                    <td>{formatTime(cluster.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
      <RegisterCluster />
    </>
  );
}
