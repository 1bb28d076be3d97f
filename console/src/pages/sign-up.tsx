// Sign-up: creates a tenant with its owner (POST /v1/signup), then signs the owner in.
import { useState } from 'preact/hooks';
import { api } from '../client/client.ts';
import type { Session } from '../client/types.ts';
import { described, errorAt, Field, FormError } from '../components/field.tsx';
import { Link } from '../components/link.tsx';
import { useSubmission } from '../components/use-submission.ts';

export function SignUpPage(props: { onSignedIn: (session: Session) => void }) {
  const [tenantName, setTenantName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { submit, busy, error } = useSubmission(async () => {
    const created = await api<{ tenant: { id: string } }>('/v1/signup', { method: 'POST', body: { tenantName, email, password } });
    props.onSignedIn(await api<Session>('/v1/session', { method: 'POST', body: { email, password, tenantId: created.tenant.id }, quietUnauthorized: true }));
  });
  const fields = ['tenantName', 'email', 'password'];
  const [tenantError, emailError, passwordError] = fields.map((field) => errorAt(error, field));
  return (
    <main class="centered" id="main">
      <form class="card auth" onSubmit={submit} aria-labelledby="sign-up-title">
        <h1 id="sign-up-title">Create your palisade account</h1>
        <Field id="tenant-name" label="Organisation name" error={tenantError}>
          <input {...described('tenant-name', tenantError)} required value={tenantName} onInput={(e) => setTenantName(e.currentTarget.value)} />
        </Field>
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
        <Field id="password" label="Password" error={passwordError} hint="At least 12 characters.">
          <input
            {...described('password', passwordError)}
            type="password"
            autocomplete="new-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <FormError error={error} fields={fields} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
        <p>
          Already have an account? <Link href="/sign-in">Sign in</Link>
        </p>
      </form>
    </main>
  );
}
