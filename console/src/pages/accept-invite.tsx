// Accepting an invitation: the token arrives in the link's fragment (never sent to a server log); the
// invited member chooses a password and is signed in.
import { useState } from 'preact/hooks';
import { api } from '../client/client.ts';
import type { Session } from '../client/types.ts';
import { described, errorAt, Field, FormError } from '../components/field.tsx';
import { useSubmission } from '../components/use-submission.ts';

export function AcceptInvitePage(props: { onSignedIn: (session: Session) => void }) {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  const [password, setPassword] = useState('');
  const { submit, busy, error } = useSubmission(async () => {
    props.onSignedIn(await api<Session>('/v1/invites/accept', { method: 'POST', body: { token, password }, quietUnauthorized: true }));
  });
  const passwordError = errorAt(error, 'password');
  return (
    <main class="centered" id="main">
      <form class="card auth" onSubmit={submit} aria-labelledby="accept-title">
        <h1 id="accept-title">Join your team on palisade</h1>
        {token === '' ? (
          <p class="notice error" role="alert">
            This link has no invitation token. Ask whoever invited you for the full link.
          </p>
        ) : (
          <>
            <Field id="password" label="Choose a password" error={passwordError} hint="At least 12 characters.">
              <input
                {...described('password', passwordError)}
                type="password"
                autocomplete="new-password"
                required
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </Field>
            <FormError error={error} fields={['password']} />
            <button type="submit" class="primary" disabled={busy}>
              {busy ? 'Joining…' : 'Accept invitation'}
            </button>
          </>
        )}
      </form>
    </main>
  );
}
