// What a service call runs as: the database and the caller the auth middleware resolved. Services
// open their own tenant transaction from it, so row-level security scopes every query they make.
import { type Db, type Tx, withTenant } from '../../db/index.ts';
import type { MemberRole } from '../../db/schema/members.ts';

/** A tenant's member or automation, through an API key. */
export interface ApiCaller {
  tenantId: string;
  keyId: string;
  role: MemberRole;
  /** How the audit log names the caller. */
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

export const asAgent = <T>(ctx: AgentContext, work: (tx: Tx) => Promise<T>): Promise<T> => withTenant(ctx.db, ctx.agent.tenantId, work);
