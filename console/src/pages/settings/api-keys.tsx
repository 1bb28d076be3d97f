// API keys: create one (its secret shown once) with a role, list them by prefix, revoke.
import { useState } from 'preact/hooks';
import { api } from '../../client/client.ts';
import { listAll } from '../../client/resources.ts';
import type { ApiKey, Role } from '../../client/types.ts';
import { Empty, ErrorNotice, Show, useLoad } from '../../components/async-state.tsx';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { described, errorAt, Field } from '../../components/field.tsx';
import { RoleField } from '../../components/role-field.tsx';
import { ShownOnce } from '../../components/shown-once.tsx';
import { TableHead } from '../../components/table-head.tsx';
import { formatTime } from '../../format.ts';
import { useSession } from '../../session.ts';
import { SettingsTabs } from './tabs.tsx';

export function ApiKeysPage() {
  const { canManage } = useSession();
  const keys = useLoad(() => listAll<ApiKey>('/v1/api-keys'), []);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('editor');
  const [secret, setSecret] = useState<string>();
  const [error, setError] = useState<Error>();
  const create = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      const created = await api<{ key: string }>('/v1/api-keys', { method: 'POST', body: { name, role } });
      setSecret(created.key);
      setName('');
      keys.reload();
    } catch (failure) {
      setError(failure as Error);
    }
  };
  const nameError = errorAt(error, 'name');
  return (
    <>
      <h1>Settings</h1>
      <SettingsTabs current="/settings/api-keys" />
      <h2>API keys</h2>
      <p>Keys are for automation (CI, Terraform, the CLI); people sign in instead.</p>
      <form class="card inline-form" onSubmit={create} aria-label="Create an API key">
        <fieldset disabled={!canManage}>
          <Field id="key-name" label="Name" error={nameError}>
            <input {...described('key-name', nameError)} required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <RoleField id="key-role" value={role} onChange={setRole} />
          <button type="submit" class="primary">
            Create key
          </button>
        </fieldset>
        {!canManage && <p class="hint">Only owners and admins manage API keys.</p>}
      </form>
      {error && !nameError && <ErrorNotice error={error} />}
      {secret && <ShownOnce label="New API key" value={secret} />}
      <Show loaded={keys} what="API keys">
        {(items) =>
          items.length === 0 ? (
            <Empty>
              <p>No API keys.</p>
            </Empty>
          ) : (
            <table>
              <TableHead columns={['Name', 'Prefix', 'Role', 'Created', 'Last used']} actions />
              <tbody>
                {items.map((key) => (
                  <tr key={key.id}>
                    <td>{key.name}</td>
                    <td>
                      <code>{key.prefix}…</code>
                    </td>
                    <td>{key.role}</td>
                    <td>{formatTime(key.createdAt)}</td>
                    <td>{key.lastUsedAt ? formatTime(key.lastUsedAt) : 'never'}</td>
                    <td>
                      <ConfirmButton
                        label="Revoke"
                        disabled={!canManage}
                        confirmText={`Revoke ${key.name}? Anything using it stops working.`}
                        onConfirm={async () => {
                          await api(`/v1/api-keys/${key.id}`, { method: 'DELETE' }).catch((failure: Error) => setError(failure));
                          keys.reload();
                        }}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </>
  );
}
