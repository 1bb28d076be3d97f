// Resolves `Authorization: Bearer <credential>` to a caller. Credentials are looked up by hash through
// the two SECURITY DEFINER functions (the only path across row-level security before a tenant is
// known); everything after runs in a tenant transaction.
import { sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { rowsOf, withoutTenant, withTenant } from '../../db/index.ts';
import type { MemberRole } from '../../db/schema/members.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors/api-error.ts';
import { credentialHash } from '../services/credentials.ts';

function bearerOf(header: string | undefined): string {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) throw new ApiError('UNAUTHORIZED', 'send the API key as "Authorization: Bearer <key>"');
  return match[1]!;
}

/** Used-at stamps are advisory: refresh at most once a minute so reads stay cheap. */
const LAST_USED_EVERY = sql`interval '1 minute'`;

export function apiKeyAuth(): MiddlewareHandler<AppEnv> {
  return async function authenticateApiKey(c, next) {
    const { database } = c.get('services');
    const hash = credentialHash(bearerOf(c.req.header('authorization')));
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
    c.set('caller', { tenantId: key.tenant_id, keyId: key.key_id, role: key.role, actor: `api-key:${key.key_id}` });
    await next();
  };
}

export function agentTokenAuth(): MiddlewareHandler<AppEnv> {
  return async function authenticateAgent(c, next) {
    const { database } = c.get('services');
    const hash = credentialHash(bearerOf(c.req.header('authorization')));
    const [token] = await withoutTenant(database.db, async (tx) =>
      rowsOf<{ token_id: string; tenant_id: string; cluster_id: string }>(
        await tx.execute(sql`select token_id, tenant_id, cluster_id from palisade_authenticate_agent_token(${hash})`),
      ),
    );
    if (!token) throw new ApiError('UNAUTHORIZED', 'the agent token is unknown or revoked, or its cluster was deleted');
    c.set('agent', { tenantId: token.tenant_id, clusterId: token.cluster_id, tokenId: token.token_id });
    await next();
  };
}
