// Resolves a request's credential to a caller: `Authorization: Bearer <credential>` (an API key or an
// agent token) or, for members in the console, the session cookie. Credentials are looked up by hash
// through SECURITY DEFINER functions (the only path across row-level security before a tenant is
// known), and remembered for a few seconds (credential-cache.ts); everything after runs in a tenant
// transaction. Session-cookie requests also need their CSRF token on unsafe methods (csrf.ts).
import { sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { type Db, rowsOf, withoutTenant, withTenant } from '../../db/index.ts';
import type { MemberRole } from '../../db/schema/members.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors/api-error.ts';
import { sessionTokenOf } from '../http/session-cookie.ts';
import type { AgentCaller, ApiCaller } from '../services/context.ts';
import { credentialHash } from '../services/credentials.ts';
import { resolveSession } from '../services/sessions.ts';
import { type CredentialCache, createCredentialCache } from './credential-cache.ts';

function bearerOf(header: string | undefined): string {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) throw new ApiError('UNAUTHORIZED', 'send an API key as "Authorization: Bearer <key>", or sign in (POST /v1/session) for a session cookie');
  return match[1]!;
}

/** Used-at stamps are advisory: refresh at most once a minute so reads stay cheap. */
const LAST_USED_EVERY = sql`interval '1 minute'`;

/** Every kind of credential, remembered in one cache so a revocation drops any. */
export interface ResolvedCredentials {
  apiKeys: CredentialCache<ApiCaller>;
  sessions: CredentialCache<ApiCaller>;
  agentTokens: CredentialCache<AgentCaller>;
  /** Drops every remembered credential: after anything that may have revoked one. */
  clear(): void;
}

export function createResolvedCredentials(): ResolvedCredentials {
  const apiKeys = createCredentialCache<ApiCaller>();
  const sessions = createCredentialCache<ApiCaller>();
  const agentTokens = createCredentialCache<AgentCaller>();
  return {
    apiKeys,
    sessions,
    agentTokens,
    clear() {
      apiKeys.clear();
      sessions.clear();
      agentTokens.clear();
    },
  };
}

async function apiKeyCaller(db: Db, credentials: ResolvedCredentials, authorization: string | undefined): Promise<ApiCaller> {
  const hash = credentialHash(bearerOf(authorization));
  return credentials.apiKeys.resolve(hash, async () => {
    const [key] = await withoutTenant(db, async (tx) =>
      rowsOf<{ key_id: string; tenant_id: string; role: MemberRole }>(
        await tx.execute(sql`select key_id, tenant_id, role from palisade_authenticate_api_key(${hash})`),
      ),
    );
    if (!key) throw new ApiError('UNAUTHORIZED', 'the API key is unknown or revoked');
    await withTenant(db, key.tenant_id, (tx) =>
      tx.execute(sql`update api_keys set last_used_at = now()
        where id = ${key.key_id} and (last_used_at is null or last_used_at < now() - ${LAST_USED_EVERY})`),
    );
    return { tenantId: key.tenant_id, keyId: key.key_id, role: key.role, actor: `api-key:${key.key_id}` };
  });
}

async function sessionCaller(db: Db, credentials: ResolvedCredentials, token: string): Promise<ApiCaller> {
  const hash = credentialHash(token);
  const remembered = credentials.sessions.get(hash);
  // A remembered session is still refused past its idle expiry: the cache never extends a session.
  if (remembered?.session && remembered.session.expiresAt.getTime() > Date.now()) return remembered;
  const caller = await resolveSession(db, token);
  if (!caller) throw new ApiError('UNAUTHORIZED', 'the session has expired or was ended: sign in again');
  credentials.sessions.set(hash, caller);
  return caller;
}

/**
 * An `Authorization` header means an API key; without one, the session cookie is the credential. A
 * credential is looked up (and its used-at stamp or idle expiry refreshed) only when it is not
 * remembered, so most requests run just their handler's transaction. Every DELETE may revoke a
 * credential (a key, an agent token, a cluster with its tokens, a member with their sessions, a
 * sign-out): this process forgets all it remembered before the answer leaves.
 */
export function callerAuth(credentials: ResolvedCredentials): MiddlewareHandler<AppEnv> {
  return async function authenticateCaller(c, next) {
    const { database } = c.get('services');
    const authorization = c.req.header('authorization');
    const sessionToken = authorization === undefined ? sessionTokenOf(c) : undefined;
    const caller =
      sessionToken === undefined ? await apiKeyCaller(database.db, credentials, authorization) : await sessionCaller(database.db, credentials, sessionToken);
    c.set('caller', caller);
    try {
      await next();
    } finally {
      if (c.req.method === 'DELETE') credentials.clear();
    }
  };
}

export function agentTokenAuth(credentials: ResolvedCredentials): MiddlewareHandler<AppEnv> {
  return async function authenticateAgent(c, next) {
    const { database } = c.get('services');
    const hash = credentialHash(bearerOf(c.req.header('authorization')));
    const agent = await credentials.agentTokens.resolve(hash, async () => {
      const [token] = await withoutTenant(database.db, async (tx) =>
        rowsOf<{ token_id: string; tenant_id: string; cluster_id: string }>(
          await tx.execute(sql`select token_id, tenant_id, cluster_id from palisade_authenticate_agent_token(${hash})`),
        ),
      );
      if (!token) throw new ApiError('UNAUTHORIZED', 'the agent token is unknown or revoked, or its cluster was deleted');
      return { tenantId: token.tenant_id, clusterId: token.cluster_id, tokenId: token.token_id };
    });
    c.set('agent', agent);
    await next();
  };
}
