// Members and invitations: who can sign in to this tenant with which role; owners and admins invite
// (the link is shown once; no mail is sent) and remove members or withdraw invitations.
import { useState } from 'preact/hooks';
import { api } from '../../client/client.ts';
import { listAll } from '../../client/resources.ts';
import type { Invite, Member, NewInvite, Role } from '../../client/types.ts';
import { Empty, ErrorNotice, Show, useLoad } from '../../components/async-state.tsx';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { described, errorAt, Field } from '../../components/field.tsx';
import { RoleField } from '../../components/role-field.tsx';
import { ShownOnce } from '../../components/shown-once.tsx';
import { TableHead } from '../../components/table-head.tsx';
import { useSession } from '../../session.ts';
import { SettingsTabs } from './tabs.tsx';

function InviteForm(props: { onInvited: () => void }) {
  const { canManage } = useSession();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [link, setLink] = useState<string>();
  const [error, setError] = useState<Error>();
  const invite = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      const created = await api<NewInvite>('/v1/invites', { method: 'POST', body: { email, role } });
      setLink(`${location.origin}${created.acceptPath}`);
      setEmail('');
      props.onInvited();
    } catch (failure) {
      setError(failure as Error);
    }
  };
  const emailError = errorAt(error, 'email');
  return (
    <>
      <form class="card inline-form" onSubmit={invite} aria-label="Invite a member">
        <fieldset disabled={!canManage}>
          <Field id="invite-email" label="Email" error={emailError}>
            <input {...described('invite-email', emailError)} type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          </Field>
          <RoleField id="invite-role" value={role} onChange={setRole} />
          <button type="submit" class="primary">
            Invite
          </button>
        </fieldset>
        {!canManage && <p class="hint">Only owners and admins invite members.</p>}
      </form>
      {error && !emailError && <ErrorNotice error={error} />}
      {link && <ShownOnce label="Invitation link" value={link} />}
    </>
  );
}

export function MembersPage() {
  const { canManage, session } = useSession();
  const loaded = useLoad(async () => ({ members: await listAll<Member>('/v1/members'), invites: await listAll<Invite>('/v1/invites') }), []);
  const [error, setError] = useState<Error>();
  const remove = (path: string) => async () => {
    await api(path, { method: 'DELETE' }).catch((failure: Error) => setError(failure));
    loaded.reload();
  };
  return (
    <>
      <h1>Settings</h1>
      <SettingsTabs current="/settings/members" />
      <h2>Members</h2>
      <InviteForm onInvited={loaded.reload} />
      {error && <ErrorNotice error={error} />}
      <Show loaded={loaded} what="members">
        {({ members, invites }) => (
          <>
            <table>
              <caption class="visually-hidden">Members</caption>
              <TableHead columns={['Email', 'Role']} actions />
              <tbody>
                {members.map((member) => (
                  <tr key={member.id}>
                    <td>
                      {member.email}
                      {!member.canSignIn && <span class="meta"> (automation: no password)</span>}
                    </td>
                    <td>{member.role}</td>
                    <td>
                      {member.id !== session.member.id && (
                        <ConfirmButton
                          label="Remove"
                          disabled={!canManage}
                          confirmText={`Remove ${member.email}?`}
                          onConfirm={remove(`/v1/members/${member.id}`)}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h2>Pending invitations</h2>
            {invites.length === 0 ? (
              <Empty>
                <p>No pending invitations.</p>
              </Empty>
            ) : (
              <table>
                <TableHead columns={['Email', 'Role']} actions />
                <tbody>
                  {invites.map((invite) => (
                    <tr key={invite.id}>
                      <td>{invite.email}</td>
                      <td>{invite.role}</td>
                      <td>
                        <ConfirmButton
                          label="Withdraw"
                          disabled={!canManage}
                          confirmText={`Withdraw the invitation to ${invite.email}?`}
                          onConfirm={remove(`/v1/invites/${invite.id}`)}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Show>
    </>
  );
}
