// Sign in with email and password; when the session expired, says so, and the app returns to the page
// the member was on.
import { useState } from 'preact/hooks';
import { api } from '../client/client.ts';
import type { Session } from '../client/types.ts';
import { described, errorAt, Field, FormError } from '../components/field.tsx';
import { Link } from '../components/link.tsx';
import { useSubmission } from '../components/use-submission.ts';

export function SignInPage(props: { expired: boolean; onSignedIn: (session: Session) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { submit, busy, error } = useSubmission(async () => {
    props.onSignedIn(await api<Session>('/v1/session', { method: 'POST', body: { email, password }, quietUnauthorized: true }));
  });
  const emailError = errorAt(error, 'email');
  const passwordError = errorAt(error, 'password');
  return (
    <main class="centered" id="main">
      <form class="card auth" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to palisade</h1>
        {props.expired && (
          <p class="notice" role="status">
            Your session expired. Sign in again to go back where you were.
          </p>
        )}
        <Field id="email" label="Email" error={emailError}>
          <input
            {...described('email', emailError)}
            type="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </Field>
        <Field id="password" label="Password" error={passwordError}>
          <input
            {...described('password', passwordError)}
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <FormError error={error} fields={['email', 'password']} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p>
          New to palisade? <Link href="/sign-up">Create an account</Link>
        </p>
      </form>
    </main>
  );
}
