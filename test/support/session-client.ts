// A browser's side of a console session for tests: signs in, keeps the session cookie, and sends the
// CSRF token on unsafe methods unless told not to.
import type { ApiClient, ApiResponse, RequestOptions } from './api-client.ts';

export interface SignedIn {
  cookie: string;
  /** The Set-Cookie header as the server sent it. */
  setCookie: string;
  csrfToken: string;
  session: { member: { id: string; email: string; role: string }; tenant: { id: string; name: string; plan: string }; expiresAt: string };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The `palisade_session=<token>` pair from a Set-Cookie header. */
export function sessionCookieOf(response: ApiResponse): { cookie: string; setCookie: string } {
  const setCookie = response.headers.get('set-cookie') ?? '';
  const pair = /palisade_session=[^;]*/.exec(setCookie)?.[0];
  if (!pair) throw new Error(`no session cookie in ${response.status} ${response.text}`);
  return { cookie: pair, setCookie };
}

export function signedInFrom(response: ApiResponse): SignedIn {
  if (response.status !== 200 && response.status !== 201) throw new Error(`sign-in failed: ${response.status} ${response.text}`);
  return { ...sessionCookieOf(response), csrfToken: response.body.csrfToken, session: response.body };
}

export async function signIn(api: ApiClient, email: string, password: string, tenantId?: string): Promise<SignedIn> {
  return signedInFrom(await api.post('/v1/session', { body: { email, password, ...(tenantId && { tenantId }) } }));
}

/** Calls as the signed-in member: the cookie always, the CSRF token on unsafe methods unless `csrf` is false. */
export function asMember(api: ApiClient, signedIn: Pick<SignedIn, 'cookie' | 'csrfToken'>) {
  return <T = any>(method: string, path: string, options: RequestOptions & { csrf?: boolean | string } = {}) => {
    const { csrf = true, ...rest } = options;
    const headers: Record<string, string> = { cookie: signedIn.cookie, ...rest.headers };
    if (UNSAFE.has(method) && csrf !== false) headers['x-csrf-token'] = typeof csrf === 'string' ? csrf : signedIn.csrfToken;
    return api.call<T>(method, path, { ...rest, headers });
  };
}
