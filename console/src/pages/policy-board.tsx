// The policy board: every policy of the cluster in evaluation order, tier by tier, with kind, order,
// selector, rule count and a staged badge; writers create, open, promote and delete from here.
import { useState } from 'preact/hooks';
import { api } from '../client/client.ts';
import { listAll } from '../client/resources.ts';
import type { Policy } from '../client/types.ts';
import { Empty, ErrorNotice, Show, useLoad } from '../components/async-state.tsx';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { Link } from '../components/link.tsx';
import { TableHead } from '../components/table-head.tsx';
import { type BoardPolicy, type BoardTier, boardOf } from '../policies/board.ts';
import { useSession } from '../session.ts';

const qualifiedName = (policy: Policy) => (policy.namespace ? `${policy.namespace}/${policy.name}` : policy.name);

function PolicyRow(props: { clusterId: string; entry: BoardPolicy; onChanged: () => void; onError: (error: Error) => void }) {
  const { canWrite } = useSession();
  const { policy, order, selector, staged } = props.entry;
  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      props.onChanged();
    } catch (error) {
      props.onError(error as Error);
    }
  };
  return (
    <tr>
      <td>
        <Link href={`/clusters/${props.clusterId}/policies/${policy.id}`}>{qualifiedName(policy)}</Link>
        {staged && <span class="badge staged">staged</span>}
      </td>
      <td>{policy.kind}</td>
      <td>{order ?? '—'}</td>
      <td>
        <code>{selector}</code>
      </td>
      <td>{policy.ruleCount}</td>
      <td class="actions">
        {staged && (
          <button type="button" disabled={!canWrite} onClick={() => act(() => api(`/v1/policies/${policy.id}/promote`, { method: 'POST' }))}>
            Promote
          </button>
        )}
        <ConfirmButton
          label="Delete"
          disabled={!canWrite}
          confirmText={`Delete ${policy.kind} ${qualifiedName(policy)}?`}
          onConfirm={() => act(() => api(`/v1/policies/${policy.id}`, { method: 'DELETE' }))}
        />
      </td>
    </tr>
  );
}

function TierSection(props: { clusterId: string; tier: BoardTier; onChanged: () => void; onError: (error: Error) => void }) {
  const { tier } = props;
  const headingId = `tier-${tier.name}`;
  return (
    <section class="tier" aria-labelledby={headingId} data-tier={tier.name}>
      <h2 id={headingId}>
        Tier {tier.name} <span class="meta">order {tier.order ?? 'unset'}</span>
      </h2>
      {tier.policies.length === 0 ? (
        <p class="hint">No policies in this tier.</p>
      ) : (
        <table>
          <TableHead columns={['Policy', 'Kind', 'Order', 'Selector', 'Rules']} actions />
          <tbody>
            {tier.policies.map((entry) => (
              <PolicyRow key={entry.policy.id} clusterId={props.clusterId} entry={entry} onChanged={props.onChanged} onError={props.onError} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function PolicyBoardPage(props: { clusterId: string }) {
  const { canWrite } = useSession();
  const policies = useLoad(() => listAll<Policy>(`/v1/clusters/${props.clusterId}/policies`), [props.clusterId]);
  const [error, setError] = useState<Error>();
  const changed = () => {
    setError(undefined);
    policies.reload();
  };
  return (
    <>
      <h1>Policies</h1>
      <p>
        In evaluation order: admin network policies, your tiers by order, <code>default</code>, then baseline.{' '}
        {canWrite ? (
          <Link class="button primary" href={`/clusters/${props.clusterId}/policies/new`}>
            New policy
          </Link>
        ) : (
          <button type="button" class="primary" disabled>
            New policy
          </button>
        )}
      </p>
      {error && <ErrorNotice error={error} />}
      <Show loaded={policies} what="policies">
        {(items) => {
          const board = boardOf(items);
          return (
            <>
              {items.length === 0 && (
                <Empty>
                  <p>No policies yet: every pod is allowed. Write one with New policy.</p>
                </Empty>
              )}
              {board.tiers.map((tier) => (
                <TierSection key={tier.name} clusterId={props.clusterId} tier={tier} onChanged={changed} onError={setError} />
              ))}
              {board.others.length > 0 && (
                <section aria-labelledby="others-title">
                  <h2 id="others-title">Tiers, network sets and bandwidth</h2>
                  <ul>
                    {board.others.map((policy) => (
                      <li key={policy.id}>
                        <Link href={`/clusters/${props.clusterId}/policies/${policy.id}`}>
                          {policy.kind} {qualifiedName(policy)}
                        </Link>
                      </li>
                    ))}
                  </ul>
                </section>
              )}
            </>
          );
        }}
      </Show>
    </>
  );
}
