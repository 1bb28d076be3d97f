// One cluster: its agents per node (applied revision against the latest built, last seen, errors,
// program counts) and how to connect it: the Helm command with a fresh agent token, shown once.
import { useState } from 'preact/hooks';
import { api } from '../client/client.ts';
import { latestRevision, listAll } from '../client/resources.ts';
import type { AgentStatus, Cluster } from '../client/types.ts';
import { Empty, ErrorNotice, Show, useLoad } from '../components/async-state.tsx';
import { ShownOnce } from '../components/shown-once.tsx';
import { TableHead } from '../components/table-head.tsx';
import { age, formatTime } from '../format.ts';
import { useSession } from '../session.ts';

function helmCommand(origin: string, tenantId: string, clusterId: string, token: string): string {
  return [
    'helm upgrade --install palisade-agent ./infra/helm/palisade-agent \\',
    '  --namespace palisade-system --create-namespace \\',
    `  --set controlPlaneUrl=${origin} \\`,
    `  --set tenantId=${tenantId} --set clusterId=${clusterId} \\`,
    `  --set agentToken=${token} \\`,
    `  --set-json trustRoot="$(curl -s ${origin}/v1/trust-root)"`,
  ].join('\n');
}

function Connect(props: { cluster: Cluster }) {
  const { session, canWrite } = useSession();
  const [command, setCommand] = useState<string>();
  const [error, setError] = useState<Error>();
  const mint = async () => {
    setError(undefined);
    try {
      const created = await api<{ token: string }>(`/v1/clusters/${props.cluster.id}/agent-tokens`, { method: 'POST', body: { name: 'helm' } });
      setCommand(helmCommand(location.origin, session.tenant.id, props.cluster.id, created.token));
    } catch (failure) {
      setError(failure as Error);
    }
  };
  return (
    <section class="card" aria-labelledby="connect-title">
      <h2 id="connect-title">Connect this cluster</h2>
      <p>Install the agent on every node with Helm. Each click mints a new agent token for this cluster.</p>
      <button type="button" class="primary" disabled={!canWrite} onClick={mint}>
        Show the Helm command with a new agent token
      </button>
      {!canWrite && <p class="hint">Minting agent tokens needs the editor role or higher.</p>}
      {error && <ErrorNotice error={error} />}
      {command && <ShownOnce label="Helm command" value={command} multiline />}
    </section>
  );
}

function programCount(agent: AgentStatus): number {
  return Object.keys(agent.programs).length;
}

function Agents(props: { clusterId: string }) {
  const loaded = useLoad(
    async () => ({
      agents: await listAll<AgentStatus>(`/v1/clusters/${props.clusterId}/agents`),
      latest: await latestRevision(props.clusterId),
    }),
    [props.clusterId],
  );
  return (
    <section aria-labelledby="agents-title">
      <div class="section-head">
        <h2 id="agents-title">Agents</h2>
        <button type="button" onClick={loaded.reload}>
          Refresh
        </button>
      </div>
      <Show loaded={loaded} what="agents">
        {({ agents, latest }) =>
          agents.length === 0 ? (
            <Empty>
              <p>No agent has reported yet. Install the agent with the Helm command below; nodes appear here once they report.</p>
            </Empty>
          ) : (
            <table>
              <caption class="visually-hidden">Agents per node</caption>
              <TableHead columns={['Node', 'Applied revision', 'Last seen', 'Programs', 'Errors', 'Version']} />
              <tbody>
                {agents.map((agent) => (
                  <tr key={agent.nodeName}>
                    <td>{agent.nodeName}</td>
                    <td>
                      {agent.appliedRevision ?? 'none'} of {latest ?? 'none'}{' '}
                      {latest !== null && agent.appliedRevision === latest ? <span class="badge ok">up to date</span> : <span class="badge warn">behind</span>}
                    </td>
                    <td title={formatTime(agent.reportedAt)}>{age(agent.reportedAt)}</td>
                    <td>{programCount(agent)}</td>
                    <td>
                      {agent.errors.length === 0 ? (
                        'none'
                      ) : (
                        <ul class="errors">
                          {agent.errors.map((error) => (
                            <li key={`${error.code}${error.endpoint ?? ''}`}>
                              <code>{error.code}</code> {error.message}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td>{agent.agentVersion ?? 'unknown'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </section>
  );
}

export function ClusterPage(props: { clusterId: string }) {
  const cluster = useLoad(() => api<Cluster>(`/v1/clusters/${props.clusterId}`), [props.clusterId]);
  return (
    <Show loaded={cluster} what="the cluster">
      {(item) => (
        <>
          <h1>
            {item.name} <span class={`badge status-${item.status}`}>{item.status}</span>
          </h1>
          <p class="meta">
            Provider {item.provider} · registered {formatTime(item.createdAt)} · id <code>{item.id}</code>
          </p>
          <Agents clusterId={item.id} />
          <Connect cluster={item} />
        </>
      )}
    </Show>
  );
}
