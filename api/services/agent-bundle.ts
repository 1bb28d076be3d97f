// The agent's long-poll for its cluster's bundle, after OPA's bundle service: answer at once with a
// revision newer than the one the agent holds, or park (bundle-waiters.ts hands every parked agent of
// the cluster the one bundle it reads per notification) until one appears or the wait ends. A polling
// agent is also the sign of a connected cluster, stamped at most once a minute per token: this process
// remembers its stamps, so a fleet's polls in between run no transaction for it.
import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/index.ts';
import { agentTokens, clusters } from '../../db/schema/index.ts';
import { type BundleRow, type BundleWaiters, latestBundle, type Parked } from './bundle-waiters.ts';
import { type AgentCaller, type AgentContext, asAgent } from './context.ts';

export type BundlePoll = { newer: true; bundle: BundleRow } | { newer: false; revision: number };

export interface BundlePollInput {
  /** The revision the agent holds (0 for none). */
  knownRevision: number;
  waitMs: number;
  /** Ends the wait when the agent goes away. */
  signal: AbortSignal;
}

/** Agent tokens this process stamped used within the last minute: the stamp's own transaction is skipped until then. */
export interface ConnectionStamps {
  /** True (and counted as stamped) when `tokenId` was not stamped here within the minute. */
  due(tokenId: string): boolean;
  /** The stamp failed: the token's next poll tries again. */
  forget(tokenId: string): void;
}

/** The database's own once-a-minute rule (markConnected), kept here too so a poll skips the transaction. */
const STAMP_EVERY_MS = 60_000;
/** Bounds the memory of a flood of distinct tokens; past it, every token's next poll stamps again. */
const MAX_STAMPED_TOKENS = 100_000;

export function createConnectionStamps(now: () => number = Date.now): ConnectionStamps {
  const stampedAt = new Map<string, number>();
  return {
    due(tokenId) {
      const at = stampedAt.get(tokenId);
      if (at !== undefined && now() - at < STAMP_EVERY_MS) return false;
      if (stampedAt.size >= MAX_STAMPED_TOKENS) stampedAt.clear();
      stampedAt.set(tokenId, now());
      return true;
    },
    forget(tokenId) {
      stampedAt.delete(tokenId);
    },
  };
}

export async function pollBundle(ctx: AgentContext, waiters: BundleWaiters, connections: ConnectionStamps, input: BundlePollInput): Promise<BundlePoll> {
  const { tenantId, clusterId } = ctx.agent;
  // Parked before the read, so a bundle announced while the read runs still wakes this agent.
  const parked = input.waitMs > 0 ? waiters.park({ tenantId, clusterId, knownRevision: input.knownRevision }, input.waitMs, input.signal) : undefined;
  const stamp = connections.due(ctx.agent.tokenId);
  const latest = await newest(ctx, parked, stamp).catch((error: unknown) => {
    if (stamp) connections.forget(ctx.agent.tokenId);
    parked?.cancel();
    throw error;
  });
  if (latest && latest.revision > input.knownRevision) {
    parked?.cancel();
    return { newer: true, bundle: latest };
  }
  const woken = await parked?.bundle;
  if (woken) return { newer: true, bundle: woken };
  return { newer: false, revision: latest?.revision ?? input.knownRevision };
}

/**
 * A parked agent checks against the watch's kept row: a newer one not yet seen still wakes it. An
 * agent that will not wait is answered from the database, so it never sees a lagging row.
 */
async function newest(ctx: AgentContext, parked: Parked | undefined, stamp: boolean): Promise<BundleRow | undefined> {
  if (!parked) {
    return asAgent(ctx, async (tx) => {
      if (stamp) await markConnected(tx, ctx.agent);
      return latestBundle(tx, ctx.agent.clusterId);
    });
  }
  if (stamp) await asAgent(ctx, (tx) => markConnected(tx, ctx.agent));
  return parked.latest();
}

/** Stamped at most once a minute per token, so polls stay cheap. */
async function markConnected(tx: Tx, agent: AgentCaller): Promise<void> {
  const stamped = await tx
    .update(agentTokens)
    .set({ lastUsedAt: new Date() })
    .where(sql`${agentTokens.id} = ${agent.tokenId} and (${agentTokens.lastUsedAt} is null or ${agentTokens.lastUsedAt} < now() - interval '1 minute')`)
    .returning({ id: agentTokens.id });
  if (stamped.length > 0) await tx.update(clusters).set({ status: 'connected' }).where(eq(clusters.id, agent.clusterId));
}
