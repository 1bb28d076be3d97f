// What a service call runs as: the database and the caller the auth middleware resolved. Services
// open their own tenant transaction from it, so row-level security scopes every query they make.
import type { SQL } from 'drizzle-orm';
import { type Db, readInTenant, type Tx, withTenant } from '../../db/index.ts';
import type { MemberRole } from '../../db/schema/members.ts';

/** A member signed in through the console: the session the cookie named. */
export interface CallerSession {
  id: string;
  memberId: string;
  email: string;
  csrfToken: string;
  /** Idle expiry as last read; the auth middleware refuses the session past it. */
  expiresAt: Date;
}

/** A tenant's member or automation, through an API key or a member's session cookie. */
export interface ApiCaller {
  tenantId: string;
  /** Set when the caller came with an API key. */
  keyId?: string;
  /** Set when the caller came with a session cookie. */
  session?: CallerSession;
  role: MemberRole;
  /** How the audit log names the caller: `api-key:<id>`, or a member's email. */
  actor: string;
}

/** A node agent, through its cluster's agent token. */
export interface AgentCaller {
  tenantId: string;
  clusterId: string;
  tokenId: string;
}

export interface TenantContext {
  db: Db;
  caller: ApiCaller;
}

export interface AgentContext {
  db: Db;
  agent: AgentCaller;
}

export const inTenant = <T>(ctx: TenantContext, work: (tx: Tx) => Promise<T>): Promise<T> => withTenant(ctx.db, ctx.caller.tenantId, work);

/** One statement's rows, read as the caller's tenant in one round trip (db/tenant-read.ts). */
export const readAsTenant = (ctx: TenantContext, statement: SQL | string): Promise<Record<string, unknown>[]> =>
  readInTenant(ctx.db, ctx.caller.tenantId, statement);

export const asAgent = <T>(ctx: AgentContext, work: (tx: Tx) => Promise<T>): Promise<T> => withTenant(ctx.db, ctx.agent.tenantId, work);
