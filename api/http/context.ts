// From a request to what a service call runs as: the database and the caller the auth middleware set.
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import type { AgentContext, TenantContext } from '../services/context.ts';

export const tenantContext = (c: Context<AppEnv>): TenantContext => ({ db: c.get('services').database.db, caller: c.get('caller') });

export const agentContext = (c: Context<AppEnv>): AgentContext => ({ db: c.get('services').database.db, agent: c.get('agent') });
