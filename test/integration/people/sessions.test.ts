// Members sign in with email and password and use the API through the session cookie: reads with the
// cookie alone, writes only with the CSRF token, roles as for API keys; sign-out and expiry end it.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, unique } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';
import { asMember, signIn } from '../../support/session-client.ts';

const PASSWORD = 'correct horse battery staple';

async function signUpWithPassword(api: ApiClient, email = `${unique('owner')}@example.com`) {
  const response = await api.post('/v1/signup', { body: { tenantName: unique('tenant'), email, password: PASSWORD } });
  if (response.status !== 201) throw new Error(`sign-up failed: ${response.status} ${response.text}`);
  return { email, tenantId: response.body.tenant.id as string, key: response.body.apiKey.key as string };
}

describe.each(['postgres', 'pglite'] as const)('console sessions (%s)', (flavour) => {
  let control: TestControlPlane;
  let api: ApiClient;

  beforeAll(async () => {
    control = await startTestControlPlane(flavour);
    api = apiClient(control.url);
  });
  afterAll(() => control?.stop());

  it('signs the owner in after a sign-up with a password; the cookie reads, and writes need the CSRF token', async () => {
    const owner = await signUpWithPassword(api);
    const signedIn = await signIn(api, owner.email, PASSWORD);
    expect(signedIn.session.member).toMatchObject({ email: owner.email, role: 'owner' });
    expect(signedIn.session.tenant.id).toBe(owner.tenantId);
    expect(signedIn.setCookie).toMatch(/HttpOnly/i);
    expect(signedIn.setCookie).toMatch(/SameSite=Strict/i);
    expect(signedIn.setCookie).toMatch(/Path=\//);
    expect(signedIn.setCookie).toMatch(/Max-Age=\d+/);
    expect(signedIn.setCookie).not.toMatch(/Secure/i);

    const call = asMember(api, signedIn);
    expect((await call('GET', '/v1/clusters')).status).toBe(200);
    const me = await call('GET', '/v1/session');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ member: { email: owner.email, role: 'owner' }, csrfToken: signedIn.csrfToken });

    const withoutToken = await call('POST', '/v1/clusters', { body: { name: 'no-token' }, csrf: false });
    expect(withoutToken.status).toBe(403);
    expect(withoutToken.body.code).toBe('CSRF_TOKEN_INVALID');
    const wrongToken = await call('POST', '/v1/clusters', { body: { name: 'wrong-token' }, csrf: 'not-the-token' });
    expect(wrongToken.status).toBe(403);
    expect((await call('GET', '/v1/clusters')).body.items).toEqual([]);

    const created = await call('POST', '/v1/clusters', { body: { name: 'with-token' } });
    expect(created.status).toBe(201);
    // The audit log names the member, not a key.
    const audited = await control.plane.database.db.execute(
      sql`select actor from audit_log where tenant_id = ${owner.tenantId} and resource_id = ${created.body.id}`,
    );
    const rows = Array.isArray(audited) ? audited : (audited as unknown as { rows: unknown[] }).rows;
    expect(rows).toEqual([{ actor: owner.email }]);
  });

  it('marks the cookie Secure when the request came over https through a proxy', async () => {
    const owner = await signUpWithPassword(api);
    const response = await api.post('/v1/session', { body: { email: owner.email, password: PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/; Secure/i);
  });

  it('answers a wrong password and an unknown email with the same 401, and names tenantId for an email in two tenants', async () => {
    const owner = await signUpWithPassword(api);
    const wrongPassword = await api.post('/v1/session', { body: { email: owner.email, password: 'not the password at all' } });
    const unknownEmail = await api.post('/v1/session', { body: { email: `${unique('nobody')}@example.com`, password: PASSWORD } });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(unknownEmail.body.detail).toBe(wrongPassword.body.detail);
    expect(wrongPassword.headers.get('set-cookie')).toBeNull();

    const second = await signUpWithPassword(api, owner.email);
    const ambiguous = await api.post('/v1/session', { body: { email: owner.email, password: PASSWORD } });
    expect(ambiguous.status).toBe(422);
    expect(ambiguous.body.errors[0].path).toBe('tenantId');
    const chosen = await signIn(api, owner.email, PASSWORD, second.tenantId);
    expect(chosen.session.tenant.id).toBe(second.tenantId);
  });

  it('refuses a bad sign-up password and a malformed sign-in, naming the field', async () => {
    const short = await api.post('/v1/signup', { body: { tenantName: unique('tenant'), email: `${unique('o')}@example.com`, password: 'short' } });
    expect(short.status).toBe(422);
    expect(short.body.errors[0].path).toBe('password');
    const noEmail = await api.post('/v1/session', { body: { password: PASSWORD } });
    expect(noEmail.status).toBe(422);
    expect(noEmail.body.errors[0].path).toBe('email');
  });

  it('ends the session at sign-out: the row is gone, the cookie cleared, and the old cookie refused', async () => {
    const owner = await signUpWithPassword(api);
    const signedIn = await signIn(api, owner.email, PASSWORD);
    const call = asMember(api, signedIn);
    expect((await call('DELETE', '/v1/session', { csrf: false })).status).toBe(403);
    const out = await call('DELETE', '/v1/session');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/palisade_session=;.*Max-Age=0/i);
    expect((await call('GET', '/v1/clusters')).status).toBe(401);
    expect((await call('GET', '/v1/session')).status).toBe(401);
    const left = await control.plane.database.db.execute(sql`select count(*)::int as n from sessions where tenant_id = ${owner.tenantId}`);
    const rows = Array.isArray(left) ? left : (left as unknown as { rows: unknown[] }).rows;
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('refuses a session past its idle expiry', async () => {
    const owner = await signUpWithPassword(api);
    const signedIn = await signIn(api, owner.email, PASSWORD);
    await control.plane.database.db.execute(sql`update sessions set expires_at = now() - interval '1 second' where tenant_id = ${owner.tenantId}`);
    const expired = await asMember(api, signedIn)('GET', '/v1/clusters');
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toMatch(/sign in again/);
  });

  it('stores sessions hashed: the cookie token appears nowhere in the database', async () => {
    const owner = await signUpWithPassword(api);
    const signedIn = await signIn(api, owner.email, PASSWORD);
    const token = signedIn.cookie.split('=')[1]!;
    const found = await control.plane.database.db.execute(sql`select count(*)::int as n from sessions where hash = ${token} or csrf_token = ${token}`);
    const rows = Array.isArray(found) ? found : (found as unknown as { rows: unknown[] }).rows;
    expect(rows).toEqual([{ n: 0 }]);
  });
});

describe('sign-in throttling', () => {
  let control: TestControlPlane;
  let api: ApiClient;

  beforeAll(async () => {
    control = await startTestControlPlane('postgres', { RATE_LIMIT_SIGN_INS_PER_EMAIL_PER_HOUR: '1', RATE_LIMIT_SIGN_IN_EMAIL_BURST: '2' });
    api = apiClient(control.url);
  });
  afterAll(() => control?.stop());

  it('refuses further sign-ins for one email with 429 and Retry-After, while another email still signs in', async () => {
    const owner = await signUpWithPassword(api);
    for (let attempt = 0; attempt < 2; attempt++)
      expect((await api.post('/v1/session', { body: { email: owner.email, password: 'wrong password here' } })).status).toBe(401);
    const refused = await api.post('/v1/session', { body: { email: owner.email.toUpperCase(), password: PASSWORD } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const other = await signUpWithPassword(api);
    expect((await signIn(api, other.email, PASSWORD)).session.member.email).toBe(other.email);
  });
});
