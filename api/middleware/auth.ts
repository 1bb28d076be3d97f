// Resolves `Authorization: Bearer <credential>` to a caller. Credentials are looked up by hash through
// the two SECURITY DEFINER functions (the only path across row-level security before a tenant is
// known), and remembered for a few seconds (credential-cache.ts); everything after runs in a tenant
// transaction.
import { sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { rowsOf, withoutTenant, withTenant } from '../../db/index.ts';
import type { MemberRole } from '../../db/schema/members.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors/api-error.ts';
import type { AgentCaller, ApiCaller } from '../services/context.ts';
import { credentialHash } from '../services/credentials.ts';
import { type CredentialCache, createCredentialCache } from './credential-cache.ts';

function bearerOf(header: string | undefined): string {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) throw new ApiError('UNAUTHORIZED', 'send the API key as "Authorization: Bearer <key>"');
  return match[1]!;
}

/** Used-at stamps are advisory: refresh at most once a minute so reads stay cheap. */
const LAST_USED_EVERY = sql`interval '1 minute'`;

/** Both kinds of credential, remembered in one cache so a revocation drops either. */
export interface ResolvedCredentials {
  apiKeys: CredentialCache<ApiCaller>;
  agentTokens: CredentialCache<AgentCaller>;
  /** Drops every remembered credential: after anything that may have revoked one. */
  clear(): void;
}

export function createResolvedCredentials(): ResolvedCredentials {
  const apiKeys = createCredentialCache<ApiCaller>();
  const agentTokens = createCredentialCache<AgentCaller>();
  return {
    apiKeys,
    agentTokens,
    clear() {
      apiKeys.clear();
      agentTokens.clear();
    },
  };
}

/**
 * A key is looked up (and its used-at stamp refreshed) only when it is not remembered, so most requests
 * run just their handler's transaction. Every DELETE may revoke a credential (a key, an agent token, a
 * cluster with its tokens): this process forgets all it remembered before the answer leaves.
 */
export function apiKeyAuth(credentials: ResolvedCredentials): MiddlewareHandler<AppEnv> {
  return async function authenticateApiKey(c, next) {
    const { database } = c.get('services');
    const hash = credentialHash(bearerOf(c.req.header('authorization')));
    let caller = credentials.apiKeys.get(hash);
    if (!caller) {
      const [key] = await withoutTenant(database.db, async (tx) =>
        rowsOf<{ key_id: string; tenant_id: string; role: MemberRole }>(
          await tx.execute(sql`select key_id, tenant_id, role from palisade_authenticate_api_key(${hash})`),
        ),
      );
      if (!key) throw new ApiError('UNAUTHORIZED', 'the API key is unknown or revoked');
      await withTenant(database.db, key.tenant_id, (tx) =>
        tx.execute(sql`update api_keys set last_used_at = now()
          where id = ${key.key_id} and (last_used_at is null or last_used_at < now() - ${LAST_USED_EVERY})`),
      );
      caller = { tenantId: key.tenant_id, keyId: key.key_id, role: key.role, actor: `api-key:${key.key_id}` };
      credentials.apiKeys.set(hash, caller);
    }
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
    let agent = credentials.agentTokens.get(hash);
    if (!agent) {
      const [token] = await withoutTenant(database.db, async (tx) =>
        rowsOf<{ token_id: string; tenant_id: string; cluster_id: string }>(
          await tx.execute(sql`select token_id, tenant_id, cluster_id from palisade_authenticate_agent_token(${hash})`),
        ),
      );
      if (!token) throw new ApiError('UNAUTHORIZED', 'the agent token is unknown or revoked, or its cluster was deleted');
      agent = { tenantId: token.tenant_id, clusterId: token.cluster_id, tokenId: token.token_id };
      credentials.agentTokens.set(hash, agent);
    }
    c.set('agent', agent);
    await next();
  };
}
