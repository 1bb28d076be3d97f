// API keys: created with a role no higher than the creator's (the secret is returned once), listed,
// read, and revoked by a caller with at least the key's role; a repeated revoke succeeds.
import { and, eq, isNull, sql } from 'drizzle-orm';
import { newId, sqlLiteral, tableRows } from '../../db/index.ts';
import { apiKeys } from '../../db/schema/index.ts';
import { ApiError, notFound } from '../errors/api-error.ts';
import { requireId } from '../http/ids.ts';
import { type PageRequest, toPage } from '../http/pagination.ts';
import { type ApiKeyInput, type ApiKeyRecord, presentApiKey } from '../schemas/api-keys.ts';
import { recordAudit } from './audit.ts';
import { inTenant, readAsTenant, type TenantContext } from './context.ts';
import { mintCredential } from './credentials.ts';
import { hasRole, requireRole } from './roles.ts';
import { assertDeletedEarlier } from './tombstones.ts';

const live = (id: string) => and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt));

export async function createApiKey(ctx: TenantContext, input: ApiKeyInput): Promise<ApiKeyRecord & { key: string }> {
  const { caller } = ctx;
  requireRole(caller.role, 'admin');
  if (!hasRole(caller.role, input.role)) throw new ApiError('FORBIDDEN', `a ${caller.role} cannot create a ${input.role} key`);
  const credential = mintCredential('pal');
  return inTenant(ctx, async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({ id: newId(), tenantId: caller.tenantId, name: input.name, role: input.role, prefix: credential.prefix, hash: credential.hash })
      .returning();
    const key = presentApiKey(row!);
    await recordAudit(tx, caller, { action: 'create', resourceType: 'api-key', resourceId: key.id, after: key });
    return { ...key, key: credential.secret };
  });
}

// The list and the get are tenant reads (db/tenant-read.ts): one round trip each, their values written as literals.
const apiKeyRows = tableRows(apiKeys);

export async function listApiKeys(ctx: TenantContext, filter: PageRequest & { role?: ApiKeyRecord['role'] | undefined }) {
  const conditions = [
    sql`revoked_at is null`,
    filter.cursor ? sql`id > ${sqlLiteral(filter.cursor)}` : undefined,
    filter.role ? sql`role = ${sqlLiteral(filter.role)}` : undefined,
  ].filter((condition) => condition !== undefined);
  const raw = await readAsTenant(
    ctx,
    sql`select ${apiKeyRows.columns} from api_keys where ${sql.join(conditions, sql` and `)} order by id limit ${sqlLiteral(filter.limit + 1)}`,
  );
  return toPage(apiKeyRows.rows(raw), filter, presentApiKey);
}

export async function getApiKey(ctx: TenantContext, input: { keyId: string }): Promise<ApiKeyRecord> {
  const id = requireId(input.keyId, 'api key');
  const [row] = apiKeyRows.rows(await readAsTenant(ctx, sql`select ${apiKeyRows.columns} from api_keys where id = ${sqlLiteral(id)} and revoked_at is null`));
  if (!row) throw notFound('api key');
  return presentApiKey(row);
}

export async function revokeApiKey(ctx: TenantContext, input: { keyId: string }): Promise<void> {
  requireRole(ctx.caller.role, 'admin');
  const id = requireId(input.keyId, 'api key');
  await inTenant(ctx, async (tx) => {
    // The same ladder as creation: an admin cannot take away an owner's key.
    const [target] = await tx.select({ role: apiKeys.role }).from(apiKeys).where(live(id)).for('update');
    if (target && !hasRole(ctx.caller.role, target.role)) throw new ApiError('FORBIDDEN', `a ${ctx.caller.role} cannot revoke a ${target.role} key`);
    const [row] = await tx.update(apiKeys).set({ revokedAt: new Date() }).where(live(id)).returning();
    if (row) await recordAudit(tx, ctx.caller, { action: 'revoke', resourceType: 'api-key', resourceId: row.id, before: presentApiKey(row) });
    else await assertDeletedEarlier(tx, 'api-key', id, 'api key');
  });
}
